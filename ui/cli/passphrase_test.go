package cli_test

import (
	"context"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/app/apptest"
	"github.com/referraldesk/referraldesk/ui/cli"
)

// `passphrase` changes the passphrase, and with --new-recovery-key the
// recovery key: the old ones stop opening the data, the new ones open it.
func TestPassphraseCommandChangesIt(t *testing.T) {
	dir, oldKey := protectedFolder(t)
	change := &cli.Secrets{Getenv: vars{"REFERRALDESK_PASSPHRASE": testPassphrase, "REFERRALDESK_NEW_PASSPHRASE": otherPassphrase}.get}
	code, out, errOut := run(t, cli.Env{DataDir: dir, Secrets: change}, "passphrase", "--new-recovery-key")
	newKey := recoveryKeyIn(errOut)
	if code != 0 || out != "" || newKey == "" || newKey == oldKey {
		t.Fatalf("passphrase --new-recovery-key: exit %d, out %q, err %q; want a new recovery key on stderr only", code, out, errOut)
	}
	for _, tt := range []struct {
		name, secret string
		code         int
	}{
		{"the old passphrase", testPassphrase, 3},
		{"the old recovery key", oldKey, 3},
		{"the new passphrase", otherPassphrase, 0},
		{"the new recovery key", newKey, 0},
	} {
		if code, _, errOut := run(t, cli.Env{DataDir: dir, Secrets: withPassphrase(tt.secret)}, "sources"); code != tt.code {
			t.Errorf("%s: exit %d, err %q; want %d", tt.name, code, errOut, tt.code)
		}
	}
}

// `passphrase` refuses, and changes nothing, without a new passphrase, with
// a weak one, or with a wrong current one (exit 3, as any wrong passphrase).
func TestPassphraseCommandRefuses(t *testing.T) {
	dir, _ := protectedFolder(t)
	for _, tt := range []struct {
		name string
		vars vars
		code int
		say  string
	}{
		{"no new passphrase", vars{"REFERRALDESK_PASSPHRASE": testPassphrase}, 1, "REFERRALDESK_NEW_PASSPHRASE"},
		{"a weak new passphrase", vars{"REFERRALDESK_PASSPHRASE": testPassphrase, "REFERRALDESK_NEW_PASSPHRASE": "short"}, 1, "12 characters, or four words or more. It came from REFERRALDESK_NEW_PASSPHRASE."},
		{"a wrong current passphrase", vars{"REFERRALDESK_PASSPHRASE": otherPassphrase, "REFERRALDESK_NEW_PASSPHRASE": otherPassphrase}, 3, "does not open"},
	} {
		code, out, errOut := run(t, cli.Env{DataDir: dir, Secrets: &cli.Secrets{Getenv: tt.vars.get}}, "passphrase")
		checkOneLine(t, tt.name, code, out, errOut, tt.code, tt.say)
	}
	if code, _, errOut := run(t, cli.Env{DataDir: dir}, "sources"); code != 0 {
		t.Errorf("the passphrase changed although every change was refused: exit %d, err %q", code, errOut)
	}
}

// After the keyring unlocked the data, `passphrase` asks the current one:
// the remembered key alone must not let anyone at the keyboard replace it.
func TestPassphraseCommandAsksTheCurrentOneAfterTheKeyring(t *testing.T) {
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
	tm := &terminal{answers: []string{otherPassphrase, testPassphrase, testPassphrase}}
	code, out, errOut := run(t, cli.Env{DataDir: dir, Secrets: &cli.Secrets{Keyring: kr, ReadPassword: tm.read}}, "passphrase")
	checkOneLine(t, "passphrase with a wrong current one", code, out, errOut, 3, "does not open")
	if len(tm.prompts) != 1 || tm.prompts[0] != "Current passphrase (or recovery key): " {
		t.Errorf("prompts %q; want the current passphrase asked first, and nothing after a wrong one", tm.prompts)
	}
	tm = &terminal{answers: []string{testPassphrase, otherPassphrase, otherPassphrase}}
	if code, _, errOut = run(t, cli.Env{DataDir: dir, Secrets: &cli.Secrets{Keyring: kr, ReadPassword: tm.read}}, "passphrase"); code != 0 {
		t.Fatalf("passphrase with the right current one: exit %d, err %q", code, errOut)
	}
	if code, _, errOut = run(t, cli.Env{DataDir: dir, Secrets: withPassphrase(otherPassphrase)}, "sources"); code != 0 {
		t.Errorf("the new passphrase typed twice does not open the data: exit %d, err %q", code, errOut)
	}
}
