package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// fynePreferencesPath is the file where Fyne 2.8 keeps the preferences of
// app appID on a desktop OS: <root>/fyne/<appID>/preferences.json, the root
// being the user config folder on Linux and the BSDs, ~/Library/Preferences
// on macOS and %USERPROFILE%\AppData\Roaming on Windows
// (fyne.io/fyne/v2/app/preferences_other.go, internal/app/config_*.go).
// It is "" when the folder it needs is unknown.
func fynePreferencesPath(goos, home, configDir, appID string) string {
	root := configDir
	switch goos {
	case "darwin":
		root = join(home, "Library", "Preferences")
	case "windows":
		root = join(home, "AppData", "Roaming")
	}
	if root == "" {
		return ""
	}
	return filepath.Join(root, "fyne", appID, "preferences.json")
}

// join is filepath.Join, but "" when the first element is empty (never a
// path relative to the working folder).
func join(first string, rest ...string) string {
	if first == "" {
		return ""
	}
	return filepath.Join(append([]string{first}, rest...)...)
}

// repairPreferences removes the preferences file at path when it is empty
// or damaged, so that Fyne starts from its defaults quietly: it would print
// "Preferences load error: EOF" for an empty file, and it panics on a list
// that mixes kinds of values. The file holds window and inbox settings
// only, never anything secret or about a person, so nothing of value is
// lost. A missing file is fine (Fyne creates it). It reports whether it
// removed the file.
func repairPreferences(path string) (bool, error) {
	if path == "" {
		return false, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if preferencesOK(b) {
		return false, nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	return true, nil
}

// preferencesOK reports whether b is what Fyne reads without complaint: a
// JSON object whose lists each hold one kind of value (Fyne converts a list
// by the kind of its first item and panics on any other).
func preferencesOK(b []byte) bool {
	var values map[string]any
	if err := json.Unmarshal(b, &values); err != nil || values == nil {
		return false
	}
	for _, v := range values {
		items, ok := v.([]any)
		if !ok || len(items) == 0 {
			continue
		}
		for _, item := range items[1:] {
			if kind(item) != kind(items[0]) {
				return false
			}
		}
	}
	return true
}

// kind names the JSON kind of a decoded value.
func kind(v any) string {
	switch v.(type) {
	case bool:
		return "bool"
	case float64:
		return "number"
	case string:
		return "string"
	case nil:
		return "null"
	case []any:
		return "array"
	}
	return "object"
}
