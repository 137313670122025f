package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/storage/keys"
)

const testPassphrase = "correct horse battery staple"

func unwrapWith(secret string) func(keys.Vault) ([]byte, error) {
	return func(v keys.Vault) ([]byte, error) { return keys.Unwrap(v.Passphrase, secret) }
}

// backupOf writes a backup of an encrypted store and returns it with the
// store's path and source.
func backupOf(t *testing.T) (backup []byte, path string, src int64, secrets []string) {
	t.Helper()
	path, key, src, secrets := encryptedStore(t)
	db := openAt(t, path, WithDataKey(key))
	var buf bytes.Buffer
	if err := db.Backup(context.Background(), &buf); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	db.Close()
	return buf.Bytes(), path, src, secrets
}

// A backup holds nothing readable, not even what the store keeps in
// plaintext; it restores, elsewhere, with the passphrase alone.
func TestBackupIsEncryptedAndRestoresElsewhere(t *testing.T) {
	backup, path, src, secrets := backupOf(t)
	for _, s := range append(secrets, "Eastside Clinic", "requested", "SQLite format") {
		for _, m := range markers(s) {
			if bytes.Contains(backup, m) {
				t.Errorf("the backup holds %q", s)
			}
		}
	}
	if found := filesHolding(t, filepath.Dir(path), secrets); len(found) > 0 {
		t.Errorf("backing up left %s", strings.Join(found, "; "))
	}
	elsewhere := filepath.Join(t.TempDir(), "restored.db")
	ctx := context.Background()
	if err := Restore(ctx, bytes.NewReader(backup), elsewhere, unwrapWith(testPassphrase)); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	db := openAt(t, elsewhere)
	v, err := db.Vault(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key, err := keys.Unwrap(v.Passphrase, testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Unlock(ctx, key); err != nil {
		t.Fatal(err)
	}
	if r, err := db.Referral(ctx, src, "t1"); err != nil || r.Person != "Zelda Quarrington" {
		t.Errorf("restored referral: %+v, %v", r, err)
	}
}

// A damaged, cut or foreign file, or a wrong passphrase, restores nothing
// and leaves the database as it was.
func TestRestoreRefusesWhatItCannotTrust(t *testing.T) {
	backup, path, src, _ := backupOf(t)
	flipped := bytes.Clone(backup)
	flipped[len(flipped)/2] ^= 1
	sqliteFile, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		file   []byte
		secret string
		want   error
	}{
		{"a flipped byte", flipped, testPassphrase, ErrBackupDamaged},
		{"cut short", backup[:len(backup)-100], testPassphrase, ErrBackupDamaged},
		{"with more after its end", append(bytes.Clone(backup), 0), testPassphrase, ErrBackupDamaged},
		{"a database file", sqliteFile, testPassphrase, ErrNotABackup},
		{"empty", nil, testPassphrase, ErrNotABackup},
		{"the wrong passphrase", backup, "not the passphrase at all", keys.ErrWrongSecret},
	} {
		before, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		err = Restore(context.Background(), bytes.NewReader(tt.file), path, unwrapWith(tt.secret))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: %v; want %v", tt.name, err, tt.want)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Errorf("%s: the database changed", tt.name)
		}
	}
	if _, err := os.Stat(path + ".restoring"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused restore left its file: %v", err)
	}
	_ = src
}

// A store that is not encrypted, or is locked, writes no backup.
func TestNoBackupInPlaintext(t *testing.T) {
	db := openTest(t)
	fillEveryTable(t, db)
	var buf bytes.Buffer
	if err := db.Backup(context.Background(), &buf); err == nil || buf.Len() > 0 {
		t.Errorf("a plaintext store wrote %d bytes of backup, %v", buf.Len(), err)
	}
}
