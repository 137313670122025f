package app

import (
	"runtime/debug"
	"testing"
)

func TestBuildInfo(t *testing.T) {
	checkout := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "920f1471c0de5d2a9b8e7f6a5b4c3d2e1f0a9b8c"},
		{Key: "vcs.time", Value: "2026-11-30T09:12:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	tests := []struct {
		name                  string
		version, commit, date string
		info                  *debug.BuildInfo
		want                  string
	}{
		{"release (make dist)", "0.1.0", "920f1471c0de", "2026-12-01T10:00:00Z", checkout,
			"Referral Desk 0.1.0 (commit 920f1471c0de, built 2026-12-01T10:00:00Z, go1.26.8)"},
		{"go build in a checkout with changes", "", "", "", checkout,
			"Referral Desk dev (commit 920f1471c0de+changes, built 2026-11-30T09:12:00Z, go1.26.8)"},
		{"go install of a tagged module", "", "", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.2.0"}},
			"Referral Desk 0.2.0 (go1.26.8)"},
		{"nothing recorded", "", "", "", nil, "Referral Desk dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := buildInfo(tt.version, tt.commit, tt.date, tt.info).String(); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
