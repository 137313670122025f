package app

import (
	"cmp"
	"runtime/debug"
	"strings"
)

// Set when a release is built (make dist):
//
//	-ldflags "-X github.com/referraldesk/referraldesk/app.version=0.1.0
//	          -X github.com/referraldesk/referraldesk/app.commit=… -X …app.buildDate=…"
//
// A plain go build leaves them empty and Build reads what Go recorded of
// the checkout instead.
var version, commit, buildDate string

// BuildInfo says which build of Referral Desk this is, for --version, the
// About box and a support request.
type BuildInfo struct {
	Version string // "0.1.0"; "dev" for a build that is not a release
	Commit  string // the commit, shortened; "+changes" when built with uncommitted changes
	Date    string // when it was built (a release) or committed (RFC 3339, UTC); "" unknown
	Go      string // the Go version it was built with
}

// Build is this program's BuildInfo.
func Build() BuildInfo {
	info, _ := debug.ReadBuildInfo()
	return buildInfo(version, commit, buildDate, info)
}

func buildInfo(version, commit, date string, info *debug.BuildInfo) BuildInfo {
	b := BuildInfo{Version: version, Commit: commit, Date: date}
	if info == nil {
		b.Version = cmp.Or(b.Version, "dev")
		return b
	}
	b.Go = info.GoVersion
	var rev, at string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value[:min(12, len(s.Value))]
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && rev != "" {
		rev += "+changes"
	}
	v := strings.TrimPrefix(info.Main.Version, "v") // go install …@v0.1.0
	if v == "(devel)" {
		v = ""
	}
	b.Version = cmp.Or(b.Version, v, "dev")
	b.Commit = cmp.Or(b.Commit, rev)
	b.Date = cmp.Or(b.Date, at)
	return b
}

// String is the one line of --version:
// "Referral Desk 0.1.0 (commit 920f1471c0de, built 2026-12-06T04:45:22Z, go1.26.8)".
func (b BuildInfo) String() string {
	var parts []string
	if b.Commit != "" {
		parts = append(parts, "commit "+b.Commit)
	}
	if b.Date != "" {
		parts = append(parts, "built "+b.Date)
	}
	if b.Go != "" {
		parts = append(parts, b.Go)
	}
	s := "Referral Desk " + b.Version
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}
