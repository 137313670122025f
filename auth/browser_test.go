package auth

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeBrowser makes $BROWSER the test binary (see TestMain), which records its arguments in the returned file.
func fakeBrowser(t *testing.T, extra string) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil || strings.ContainsAny(exe, " \t") {
		t.Skip("test binary path unusable as $BROWSER")
	}
	out := filepath.Join(t.TempDir(), "args")
	t.Setenv("AUTH_TEST_BROWSER_OUT", out)
	t.Setenv("BROWSER", strings.TrimSpace(exe+" "+extra))
	return out
}

func TestOpenBrowser(t *testing.T) {
	out := fakeBrowser(t, "--new-window")
	target := "https://auth.example.org/authorize?a=1&b=$(touch%20/tmp/pwned);`id`|x'q'>y"
	// A long grace makes the test wait for the fake browser to exit.
	if err := openBrowser(target, os.Getenv("BROWSER"), "linux", time.Minute); err != nil {
		t.Fatalf("openBrowser: %v", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Split(string(b), "\n"); !slices.Equal(got, []string{"--new-window", target}) {
		t.Errorf("browser got %q", got)
	}
}

func TestOpenBrowserPlaceholder(t *testing.T) {
	out := fakeBrowser(t, "--app=%s")
	if err := openBrowser("https://a.example/x", os.Getenv("BROWSER"), "linux", time.Minute); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != "--app=https://a.example/x" {
		t.Errorf("browser got %q", b)
	}
}

func TestOpenBrowserFailure(t *testing.T) {
	fakeBrowser(t, "")
	t.Setenv("AUTH_TEST_BROWSER_EXIT", "3")
	kindIs(t, openBrowser("https://a.example/x", os.Getenv("BROWSER"), "linux", time.Minute), KindLocal, "could not open")
	t.Setenv("BROWSER", filepath.Join(t.TempDir(), "no-such-browser"))
	kindIs(t, OpenBrowser("https://a.example/x"), KindLocal, "could not start")
}

func TestOpenBrowserRefusesNonWebLinks(t *testing.T) {
	out := fakeBrowser(t, "")
	for _, u := range []string{"file:///etc/passwd", "javascript:alert(1)", "-h", "https://a.example/\u202ex", "mailto:a@b.example", "https://", "http://a.example/login"} {
		kindIs(t, OpenBrowser(u), KindLink, "only opens secure web links")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("the browser was started for a refused link")
	}
}

func TestBrowserCommand(t *testing.T) {
	const u = "https://a.example/x"
	for _, c := range []struct {
		env, goos string
		want      []string
	}{
		{"", "linux", []string{"xdg-open", u}},
		{"", "freebsd", []string{"xdg-open", u}},
		{"", "darwin", []string{"open", u}},
		{"", "windows", []string{"rundll32", "url.dll,FileProtocolHandler", u}},
		{"  firefox   --private-window ", "linux", []string{"firefox", "--private-window", u}},
	} {
		if got := browserCommand(u, c.env, c.goos); !slices.Equal(got, c.want) {
			t.Errorf("browserCommand(%q, %s) = %q, want %q", c.env, c.goos, got, c.want)
		}
	}
}
