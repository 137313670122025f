package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
)

// runAsProgram makes the test binary run main() instead of the tests, so a
// test can start Referral Desk as a person or the system would.
const runAsProgram = "REFERRALDESK_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runAsProgram) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
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
