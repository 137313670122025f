package main

// useCommandLine is what to do instead when the window cannot open.
const useCommandLine = "run 'referraldesk help' for the command line, or start it from a desktop session"

// noDisplay says why this machine has no display for the window, or "" when
// it may have one. It is asked before Fyne is started: Fyne's GLFW driver
// without a display logs "PlatformUnavailable" and then panics. On Linux and
// the BSDs a desktop session sets DISPLAY (X11) or WAYLAND_DISPLAY; macOS
// and Windows always have a display for a logged-in user. getenv is
// os.Getenv, injected for tests.
func noDisplay(goos string, getenv func(string) string) string {
	switch goos {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
			return "no display found (DISPLAY / WAYLAND_DISPLAY are not set)"
		}
	}
	return ""
}
