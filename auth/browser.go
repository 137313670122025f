package auth

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// browserGrace is how long OpenBrowser waits for the launcher to fail. Launchers (xdg-open, open, rundll32)
// exit at once; a browser named in $BROWSER may keep running, which counts as success.
const browserGrace = 3 * time.Second

// OpenBrowser opens target (http or https only) in the system browser (RFC 8252: never an embedded web view).
// It runs $BROWSER when set (a command line split at spaces; "%s" in it is replaced by the URL, otherwise the
// URL is appended as the last argument), else xdg-open (Linux, BSD), open (macOS) or
// rundll32 url.dll,FileProtocolHandler (Windows). The URL never passes through a shell.
func OpenBrowser(target string) (err error) {
	defer during("open the browser", &err)
	return openBrowser(target, os.Getenv("BROWSER"), runtime.GOOS, browserGrace)
}

func openBrowser(target, browserEnv, goos string, grace time.Duration) error {
	u, err := url.Parse(target)
	if err == nil && !hidden(target) && (u.Scheme == "https" || u.Scheme == "http") {
		err = checkURL(u) // https, or http on this computer only
	} else if err == nil {
		err = errors.New("not a web link")
	}
	if err != nil {
		return fail(KindLink, reasonBrowserLink, err)
	}
	argv := browserCommand(target, browserEnv, goos)
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := cmd.Start(); err != nil {
		return fail(KindLocal, reasonBrowserStart, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // also reaps a browser that keeps running
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case err := <-exited:
		if err != nil {
			return fail(KindLocal, reasonBrowserFailed, fmt.Errorf("%s: %w", argv[0], err))
		}
	case <-timer.C:
	}
	return nil
}

// browserCommand returns the command line that opens target.
func browserCommand(target, browserEnv, goos string) []string {
	if argv := strings.Fields(browserEnv); len(argv) > 0 {
		replaced := false
		for i, a := range argv {
			if strings.Contains(a, "%s") {
				argv[i], replaced = strings.ReplaceAll(a, "%s", target), true
			}
		}
		if !replaced {
			argv = append(argv, target)
		}
		return argv
	}
	switch goos {
	case "darwin":
		return []string{"open", target}
	case "windows":
		return []string{"rundll32", "url.dll,FileProtocolHandler", target}
	}
	return []string{"xdg-open", target}
}
