package main

import "testing"

func TestNoDisplay(t *testing.T) {
	tests := []struct {
		name, goos string
		env        map[string]string
		want       bool // true: no display
	}{
		{"linux without a session", "linux", nil, true},
		{"linux with empty variables", "linux", map[string]string{"DISPLAY": "", "WAYLAND_DISPLAY": ""}, true},
		{"linux under X11", "linux", map[string]string{"DISPLAY": ":0"}, false},
		{"linux under Wayland", "linux", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, false},
		{"freebsd without a session", "freebsd", nil, true},
		{"openbsd under X11", "openbsd", map[string]string{"DISPLAY": ":0"}, false},
		{"macOS needs no variable", "darwin", nil, false},
		{"windows needs no variable", "windows", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			why := noDisplay(tt.goos, func(k string) string { return tt.env[k] })
			if (why != "") != tt.want {
				t.Fatalf("noDisplay = %q, want no display: %v", why, tt.want)
			}
		})
	}
}
