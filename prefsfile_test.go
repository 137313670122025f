package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestFynePreferencesPath(t *testing.T) {
	tests := []struct {
		name, goos, home, config, want string
	}{
		{"linux", "linux", "/home/ana", "/home/ana/.config", "/home/ana/.config/fyne/org.example/preferences.json"},
		{"freebsd", "freebsd", "/home/ana", "/home/ana/.config", "/home/ana/.config/fyne/org.example/preferences.json"},
		{"macOS", "darwin", "/Users/ana", "/Users/ana/Library/Application Support", "/Users/ana/Library/Preferences/fyne/org.example/preferences.json"},
		{"windows", "windows", "/Users/ana", "/Users/ana/AppData/Roaming", "/Users/ana/AppData/Roaming/fyne/org.example/preferences.json"},
		{"no config folder", "linux", "", "", ""},
		{"macOS without a home folder", "darwin", "", "/somewhere", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := filepath.FromSlash(tt.want)
			if got := fynePreferencesPath(tt.goos, filepath.FromSlash(tt.home), filepath.FromSlash(tt.config), "org.example"); got != want {
				t.Fatalf("fynePreferencesPath = %q, want %q", got, want)
			}
		})
	}
}

func TestRepairPreferences(t *testing.T) {
	tests := []struct {
		name, content string
		removed       bool
	}{
		{"empty", "", true},
		{"only white space", " \n", true},
		{"cut off mid-write", `{"window.width":1280,"window.he`, true},
		{"not JSON", "window.width=1280", true},
		{"a list, not an object", `[1,2]`, true},
		{"null", `null`, true},
		{"a list that mixes kinds", `{"recent":["a",1]}`, true},
		{"Fyne's own file", "{\"inbox.view\":\"new\",\"window.height\":720,\"window.width\":1280}\n", false},
		{"an empty object", `{}`, false},
		{"lists of one kind", `{"a":[1,2],"b":["x"],"c":[true,false],"d":[]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "preferences.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			removed, err := repairPreferences(path)
			if err != nil {
				t.Fatalf("repairPreferences: %v", err)
			}
			if removed != tt.removed {
				t.Fatalf("removed = %v, want %v", removed, tt.removed)
			}
			_, err = os.Stat(path)
			if gone := errors.Is(err, fs.ErrNotExist); gone != tt.removed {
				t.Fatalf("file gone = %v (stat: %v), want %v", gone, err, tt.removed)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		removed, err := repairPreferences(filepath.Join(t.TempDir(), "fyne", "preferences.json"))
		if removed || err != nil {
			t.Fatalf("repairPreferences = %v, %v; want false, nil", removed, err)
		}
	})
}
