package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/ui/cli"
)

// A backup is a new file only its owner reads, never written over unless
// asked, and it restores into another folder, opening with the passphrase.
func TestBackupRestoresIntoAnotherFolder(t *testing.T) {
	dir, _ := protectedFolder(t)
	backups := t.TempDir()
	file := filepath.Join(backups, "desk.backup")
	if code, out, errOut := run(t, cli.Env{DataDir: dir}, "backup", file); code != 0 || out != "" {
		t.Fatalf("backup: exit %d, out %q, err %q", code, out, errOut)
	}
	written, err := os.ReadFile(file)
	if err != nil || bytes.Contains(written, []byte(person)) {
		t.Fatalf("the backup holds the person's name in the clear, or was not written (%v)", err)
	}
	if fi, _ := os.Stat(file); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("the backup is %v; want 0600: it is nobody else's business", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(backups); len(entries) != 1 {
		t.Errorf("%d files beside the backup; want it alone, no temporary file left", len(entries))
	}

	code, out, errOut := run(t, cli.Env{DataDir: dir}, "backup", file)
	checkOneLine(t, "backup over an existing file", code, out, errOut, 1, "give --force")
	if again, _ := os.ReadFile(file); !bytes.Equal(again, written) {
		t.Error("a refused backup changed the existing file")
	}
	if code, _, errOut := run(t, cli.Env{DataDir: dir}, "backup", "--force", file); code != 0 {
		t.Errorf("backup --force: exit %d, err %q; want the file replaced", code, errOut)
	}

	elsewhere := filepath.Join(t.TempDir(), "new computer")
	if code, out, errOut := run(t, cli.Env{DataDir: elsewhere}, "restore", file); code != 0 || out != "" {
		t.Fatalf("restore into a new folder: exit %d, out %q, err %q", code, out, errOut)
	}
	if code, out, errOut := run(t, cli.Env{DataDir: elsewhere}, "inbox"); code != 0 || !strings.Contains(out, person) {
		t.Errorf("inbox of the restored folder: exit %d, out %q, err %q; want the referral back", code, out, errOut)
	}
}

// Restoring over data keeps what it replaces, and says where.
func TestRestoreKeepsTheDataItReplaces(t *testing.T) {
	dir, _ := protectedFolder(t)
	file := filepath.Join(t.TempDir(), "desk.backup")
	if code, _, errOut := run(t, cli.Env{DataDir: dir}, "backup", file); code != 0 {
		t.Fatalf("backup: exit %d, err %q", code, errOut)
	}
	code, _, errOut := run(t, cli.Env{DataDir: dir}, "restore", file)
	kept := filepath.Join(dir, app.DatabaseName+".before-restore")
	if code != 0 || !strings.Contains(errOut, kept) {
		t.Errorf("restore over data: exit %d, err %q; want it to name %s", code, errOut, kept)
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("the data replaced was not kept: %v", err)
	}
}

// A restore is refused, changing nothing, for a file that is no backup
// (exit 1), a wrong passphrase or none at all (exit 3).
func TestRestoreRefuses(t *testing.T) {
	dir, _ := protectedFolder(t)
	file := filepath.Join(t.TempDir(), "desk.backup")
	if code, _, errOut := run(t, cli.Env{DataDir: dir}, "backup", file); code != 0 {
		t.Fatalf("backup: exit %d, err %q", code, errOut)
	}
	notABackup := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notABackup, []byte("Referral Desk backup, honest\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	elsewhere := t.TempDir()
	for _, tt := range []struct {
		name, file string
		secrets    *cli.Secrets
		code       int
		say        string
	}{
		{"a file that is no backup", notABackup, withPassphrase(testPassphrase), 1, "is not a Referral Desk backup"},
		{"a wrong passphrase", file, withPassphrase(otherPassphrase), 3, "does not open"},
		{"no passphrase to be had", file, &cli.Secrets{}, 3, "set REFERRALDESK_PASSPHRASE"},
	} {
		code, out, errOut := run(t, cli.Env{DataDir: elsewhere, Secrets: tt.secrets}, "restore", tt.file)
		checkOneLine(t, tt.name, code, out, errOut, tt.code, tt.say)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("refused restores left %d files in the folder", len(entries))
	}
}
