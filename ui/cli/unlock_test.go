package cli_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/app/apptest"
	"github.com/referraldesk/referraldesk/ui/cli"
)

const (
	testPassphrase  = "four words make a passphrase"
	otherPassphrase = "another four words passphrase"
	// person is planted in the data, to look for where it must not be.
	person = "Quillon Marchetti"
)

// vars is an environment, for Secrets.Getenv.
type vars map[string]string

func (v vars) get(name string) string { return v[name] }

// withPassphrase gives p in REFERRALDESK_PASSPHRASE, with no terminal and no keyring.
func withPassphrase(p string) *cli.Secrets {
	return &cli.Secrets{Getenv: vars{"REFERRALDESK_PASSPHRASE": p}.get}
}

// terminal answers prompts in turn, as a person typing would, and keeps them.
type terminal struct {
	answers, prompts []string
}

func (tm *terminal) read(prompt string) (string, error) {
	tm.prompts = append(tm.prompts, prompt)
	if len(tm.answers) == 0 {
		return "", errors.New("the test has no more answers: the command asked more than expected")
	}
	a := tm.answers[0]
	tm.answers = tm.answers[1:]
	return a, nil
}

// plainFolder is a data folder as a release before encryption at rest left
// it: no passphrase, and a referral for person.
func plainFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	_, err := apptest.FillInbox(dir, app.Source{Name: "Demo", FHIRBase: "https://demo.example/fhir", Owner: "Organization/cbo"},
		[]app.Referral{{TaskID: "t1", Status: "requested", Priority: "routine", Person: person,
			Need: "Food insecurity", AuthoredOn: "2026-11-02T10:00:00Z", VersionID: "1"}}, time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// protectedFolder is a plainFolder the command line protected with
// testPassphrase; it returns the folder and the recovery key shown.
func protectedFolder(t *testing.T) (dir, recoveryKey string) {
	t.Helper()
	dir = plainFolder(t)
	code, out, errOut := run(t, cli.Env{DataDir: dir}, "sources")
	if code != 0 || recoveryKeyIn(errOut) == "" {
		t.Fatalf("protecting a folder: exit %d, out %q, err %q", code, out, errOut)
	}
	return dir, recoveryKeyIn(errOut)
}

// recoveryKeyIn is the recovery key shown in a command's stderr; "" if none.
func recoveryKeyIn(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if k, ok := strings.CutPrefix(line, "Recovery key: "); ok {
			return k
		}
	}
	return ""
}

// checkOneLine fails t unless a command exited with code, printed nothing
// on stdout, and one line on stderr saying say.
func checkOneLine(t *testing.T, what string, code int, out, errOut string, wantCode int, say string) {
	t.Helper()
	line := strings.TrimSuffix(errOut, "\n")
	if code != wantCode || out != "" || strings.Contains(line, "\n") || !strings.HasPrefix(line, "referraldesk: ") ||
		!strings.Contains(line, say) {
		t.Errorf("%s: exit %d, out %q, stderr %q; want exit %d and one line saying %q", what, code, out, errOut, wantCode, say)
	}
}

// A folder with no passphrase yet is protected before anything is read:
// the command works, the recovery key is shown once and only on stderr, it
// opens the data, and the database no longer holds the person's name.
func TestUnprotectedFolderIsProtectedFirst(t *testing.T) {
	dir := plainFolder(t)
	code, out, errOut := run(t, cli.Env{DataDir: dir}, "inbox")
	if code != 0 || !strings.Contains(out, person) {
		t.Fatalf("inbox on a folder with no passphrase: exit %d, out %q, err %q; want it protected, then listed", code, out, errOut)
	}
	key := recoveryKeyIn(errOut)
	if key == "" || strings.Count(errOut, key) != 1 || !strings.Contains(errOut, "Write this recovery key down") {
		t.Errorf("stderr %q: want the recovery key once, with the warning to keep it", errOut)
	}
	if key != "" && strings.Contains(out, key) {
		t.Errorf("the recovery key went to stdout, where scripts keep and pipe what they read: %q", out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, app.DatabaseName+"*"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err != nil || bytes.Contains(b, []byte(person)) {
			t.Errorf("%s holds the person's name after the folder was protected (or was not read: %v)", filepath.Base(f), err)
		}
	}
	if code, _, errOut = run(t, cli.Env{DataDir: dir, Secrets: withPassphrase(key)}, "sources"); code != 0 {
		t.Errorf("the recovery key shown did not open the data: exit %d, err %q", code, errOut)
	}
	if _, _, errOut = run(t, cli.Env{DataDir: dir}, "sources"); strings.Contains(errOut, "Recovery key") {
		t.Errorf("a second run showed a recovery key again: %q", errOut)
	}
}

// With no passphrase to protect it with, or a weak one, a folder is
// neither opened nor changed, and the line says what to do.
func TestUnprotectedFolderIsLeftAsItWas(t *testing.T) {
	dir := plainFolder(t)
	for _, tt := range []struct {
		name    string
		secrets *cli.Secrets
		code    int
		say     string
	}{
		{"no passphrase source", &cli.Secrets{}, 3, "no passphrase yet: set REFERRALDESK_PASSPHRASE"},
		{"a weak passphrase", withPassphrase("short"), 1, "12 characters, or four words or more. It came from REFERRALDESK_PASSPHRASE."},
	} {
		code, out, errOut := run(t, cli.Env{DataDir: dir, Secrets: tt.secrets}, "inbox")
		checkOneLine(t, tt.name, code, out, errOut, tt.code, tt.say)
		b, err := os.ReadFile(filepath.Join(dir, app.DatabaseName))
		if err != nil || !bytes.Contains(b, []byte(person)) {
			t.Errorf("%s: the folder was changed although it could not be protected (%v)", tt.name, err)
		}
	}
}

// In a terminal, a new passphrase is typed twice; two that differ change nothing.
func TestTerminalChoosesAPassphraseTwice(t *testing.T) {
	dir := plainFolder(t)
	tm := &terminal{answers: []string{testPassphrase, testPassphrase + "!"}}
	code, out, errOut := run(t, cli.Env{DataDir: dir, Secrets: &cli.Secrets{ReadPassword: tm.read}}, "sources")
	if code != 1 || !strings.Contains(errOut, "differ") || recoveryKeyIn(errOut) != "" {
		t.Errorf("two different passphrases typed: exit %d, out %q, err %q; want exit 1 saying they differ", code, out, errOut)
	}
	tm = &terminal{answers: []string{testPassphrase, testPassphrase}}
	code, _, errOut = run(t, cli.Env{DataDir: dir, Secrets: &cli.Secrets{ReadPassword: tm.read}}, "sources")
	if code != 0 || recoveryKeyIn(errOut) == "" || !strings.Contains(errOut, "12 characters") {
		t.Errorf("the same passphrase typed twice: exit %d, err %q; want it protected, the rule shown first", code, errOut)
	}
	if want := []string{"New passphrase: ", "The same passphrase again: "}; strings.Join(tm.prompts, "|") != strings.Join(want, "|") {
		t.Errorf("prompts %q; want %q", tm.prompts, want)
	}
	if code, _, errOut = run(t, cli.Env{DataDir: dir}, "sources"); code != 0 {
		t.Errorf("the passphrase typed does not open the data: exit %d, err %q", code, errOut)
	}
}

// A locked folder opens with the passphrase or the recovery key, from the
// environment or typed; a wrong one, or none to be had, exits 3 with one line.
func TestLockedFolder(t *testing.T) {
	dir, recoveryKey := protectedFolder(t)
	for _, tt := range []struct {
		name    string
		secrets *cli.Secrets
		typed   []string // answers to the terminal's prompts; nil = no terminal
		code    int
		say     string
	}{
		{"the passphrase in the environment", withPassphrase(testPassphrase), nil, 0, ""},
		{"the recovery key in the environment", withPassphrase(recoveryKey), nil, 0, ""},
		{"the passphrase typed", &cli.Secrets{}, []string{testPassphrase}, 0, ""},
		{"a wrong passphrase in the environment", withPassphrase(otherPassphrase), nil, 3, "does not open this data. Check it and try again. It came from REFERRALDESK_PASSPHRASE."},
		{"a wrong passphrase typed", &cli.Secrets{}, []string{otherPassphrase}, 3, "That passphrase (or recovery key) does not open this data."},
		{"the environment before the terminal", withPassphrase(otherPassphrase), []string{testPassphrase}, 3, "does not open"},
		{"no way to ask", &cli.Secrets{}, nil, 3, "Referral Desk is locked: set REFERRALDESK_PASSPHRASE or run it in a terminal."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tm := &terminal{answers: tt.typed}
			if tt.typed != nil {
				tt.secrets.ReadPassword = tm.read
			}
			code, out, errOut := run(t, cli.Env{DataDir: dir, Secrets: tt.secrets}, "inbox")
			if tt.code == 0 {
				if code != 0 || !strings.Contains(out, person) || errOut != "" {
					t.Errorf("exit %d, out %q, err %q; want the inbox and nothing on stderr", code, out, errOut)
				}
			} else {
				checkOneLine(t, "inbox", code, out, errOut, tt.code, tt.say)
			}
			if tt.typed != nil && tt.secrets.Getenv == nil && (len(tm.prompts) != 1 || tm.prompts[0] != "Passphrase for Referral Desk: ") {
				t.Errorf("prompts %q; want the passphrase asked once", tm.prompts)
			}
			if tt.secrets.Getenv != nil && len(tm.prompts) != 0 {
				t.Errorf("asked %q although REFERRALDESK_PASSPHRASE was set: a script's passphrase must be used as given", tm.prompts)
			}
		})
	}
}

// The keyring's key opens the data before anything is asked; and unlocking
// with a passphrase never makes the keyring forget the key the window keeps.
func TestKeyringIsTriedFirst(t *testing.T) {
	dir := plainFolder(t)
	kr := &apptest.Keyring{}
	a, err := app.Open(dir, app.Options{Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.SetUp(context.Background(), testPassphrase, true)
	a.Close(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, cli.Env{DataDir: dir, Secrets: &cli.Secrets{Keyring: kr}}, "inbox")
	if code != 0 || !strings.Contains(out, person) {
		t.Errorf("with the key in the keyring and no passphrase: exit %d, out %q, err %q; want the keyring to open it", code, out, errOut)
	}
	kr.GetErr = errors.New("the keyring cannot be reached")
	s := withPassphrase(testPassphrase)
	s.Keyring = kr
	if code, _, errOut = run(t, cli.Env{DataDir: dir, Secrets: s}, "sources"); code != 0 {
		t.Fatalf("a keyring out of reach, and the passphrase: exit %d, err %q; want the passphrase to open it", code, errOut)
	}
	if !kr.Remembers(dir) {
		t.Error("unlocking with a passphrase made the keyring forget the key: only the window may change what is remembered")
	}
}
