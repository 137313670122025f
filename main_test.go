package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/app/instance"
)

// runAsProgram makes the test binary run main() instead of the tests, so a
// test can start Referral Desk as a person or the system would.
const runAsProgram = "REFERRALDESK_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runAsProgram) == "1" {
		main()
		os.Exit(0)
	}
	code := m.Run()
	if builtBinary != "" { // the crash suites' build of the real binary
		os.RemoveAll(filepath.Dir(builtBinary))
	}
	os.Exit(code)
}

// referraldesk runs the program with args and env; it returns its output
// and exit status.
func referraldesk(t *testing.T, env []string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), append([]string{runAsProgram + "=1", "REFERRALDESK_PASSPHRASE="}, env...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		status = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), status
}

func TestVersionFlag(t *testing.T) {
	out, errOut, status := referraldesk(t, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "--version")
	if want := app.Build().String() + "\n"; out != want || status != 0 || errOut != "" {
		t.Fatalf("--version printed %q (stderr %q, status %d), want %q", out, errOut, status, want)
	}
	if !strings.HasPrefix(out, "Referral Desk ") {
		t.Fatalf("--version does not name the program: %q", out)
	}
}

// A second launch with a referraldesk link hands it to the window that has
// the data folder and ends, before it opens anything of its own.
func TestSecondLaunchHandsItsLinkToTheOpenWindow(t *testing.T) {
	dir := t.TempDir()
	in, err := instance.Claim(dir) // the open window
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go in.Serve(func(l string) { got <- l })
	defer func() { in.Close(); <-in.Stopped() }()

	link := "referraldesk://connect?iss=https%3A%2F%2Freferrals.example.org%2Ffhir&name=Eastside"
	// A display is named so the launch goes as far as a window would; it
	// must hand over and end before Fyne starts.
	_, errOut, status := referraldesk(t, []string{"DISPLAY=:4242"}, "--data-dir", dir, link)
	if status != 0 || !strings.Contains(errOut, "already open; its window shows your link") {
		t.Fatalf("the second launch ended with status %d: %s", status, errOut)
	}
	if g := <-got; g != link {
		t.Fatalf("the open window got %q, want %q", g, link)
	}
}
