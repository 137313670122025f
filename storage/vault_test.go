package storage

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/referraldesk/referraldesk/storage/keys"
)

// testVault is a data key and a vault for it, wrapped cheaply: the tests
// here are about the store, not the key derivation.
func testVault(t testing.TB) ([]byte, keys.Vault) {
	t.Helper()
	key, err := keys.NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	cheap := keys.Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}
	pw, err := keys.WrapWithPassphrase(key, "correct horse battery staple", cheap)
	if err != nil {
		t.Fatal(err)
	}
	recovery, err := keys.NewRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	rw, err := keys.WrapWithRecovery(key, recovery)
	if err != nil {
		t.Fatal(err)
	}
	return key, keys.Vault{Passphrase: pw, Recovery: rw}
}

// encryptedStore fills a plaintext store, encrypts it, and reopens it with
// its key; it returns the path, the key and what must never be in the files.
func encryptedStore(t *testing.T) (path string, key []byte, src int64, secrets []string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "desk.db")
	db := openAt(t, path)
	src, secrets = fillEveryTable(t, db)
	db.Close()
	key, v := testVault(t)
	if err := EncryptFile(context.Background(), path, key, v); err != nil {
		t.Fatalf("EncryptFile: %v", err)
	}
	return path, key, src, secrets
}

// markers are the forms a secret may take in a file: as it is, in UTF-16
// and in base64.
func markers(secret string) [][]byte {
	u := utf16.Encode([]rune(secret))
	wide := make([]byte, 0, 2*len(u))
	for _, c := range u {
		wide = append(wide, byte(c), byte(c>>8))
	}
	return [][]byte{[]byte(secret), wide, []byte(base64.StdEncoding.EncodeToString([]byte(secret)))}
}

// filesHolding lists the files under dir that hold any form of a secret.
func filesHolding(t *testing.T, dir string, secrets []string) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			for _, m := range markers(s) {
				if bytes.Contains(b, m) {
					found = append(found, filepath.Base(p)+" holds "+s)
				}
			}
		}
		return nil
	})
	return found
}

// Once encrypted, no file of the store holds a token, a name, a need or a
// reason, and everything reads back as it was with the key.
func TestEncryptFileLeavesNoPlaintextAndLosesNothing(t *testing.T) {
	path, key, src, secrets := encryptedStore(t)
	if found := filesHolding(t, filepath.Dir(path), secrets); len(found) > 0 {
		t.Fatalf("after EncryptFile: %s", strings.Join(found, "; "))
	}
	db := openAt(t, path, WithDataKey(key))
	ctx := context.Background()
	tok, err := db.Tokens(ctx, src)
	if err != nil || tok.RefreshToken != "secret-refresh" {
		t.Errorf("tokens after encryption: %+v, %v", tok, err)
	}
	r, err := db.Referral(ctx, src, "t1")
	if err != nil || r.Person != "Zelda Quarrington" || r.Need != "Utility shutoff notice" {
		t.Errorf("referral after encryption: %+v, %v", r, err)
	}
	if rs, err := db.Referrals(ctx, InboxFilter{Search: "quarr"}); err != nil || len(rs) != 1 {
		t.Errorf("search after encryption found %d, %v; want 1", len(rs), err)
	}
	// What the store writes from now on is sealed too, also in its log.
	_, row := task("t9", "1", "")
	row.Person = "Xanthippe Marchbanks"
	savePage(t, db, src, nil, []Referral{row})
	if found := filesHolding(t, filepath.Dir(path), []string{"Xanthippe"}); len(found) > 0 {
		t.Errorf("after a sync page: %s", strings.Join(found, "; "))
	}
}

// Opened without its key, an encrypted store is locked: what the inbox sorts
// on reads, no protected value does, and no other key opens it.
func TestAnEncryptedStoreIsLockedWithoutItsKey(t *testing.T) {
	path, key, src, _ := encryptedStore(t)
	ctx := context.Background()
	db := openAt(t, path)
	if !db.Locked() {
		t.Fatal("an encrypted file opened without its key is not locked")
	}
	if _, err := db.Tokens(ctx, src); !errors.Is(err, ErrLocked) {
		t.Errorf("tokens while locked: %v; want ErrLocked", err)
	}
	if n, err := db.CountReferrals(ctx, InboxFilter{}); err != nil || n != 1 {
		t.Errorf("counting referrals while locked: %d, %v; want 1", n, err)
	}
	other, _ := testVault(t)
	if err := db.Unlock(ctx, other); !errors.Is(err, ErrWrongKey) {
		t.Errorf("unlocking with another key: %v; want ErrWrongKey", err)
	}
	if _, err := Open(path, WithDataKey(other)); !errors.Is(err, ErrWrongKey) {
		t.Errorf("opening with another key: %v; want ErrWrongKey", err)
	}
	if err := db.Unlock(ctx, key); err != nil {
		t.Fatalf("unlocking with the key: %v", err)
	}
	if r, err := db.Referral(ctx, src, "t1"); err != nil || r.Person != "Zelda Quarrington" {
		t.Errorf("after unlock: %+v, %v", r, err)
	}
	db.Lock()
	if _, err := db.Referral(ctx, src, "t1"); !errors.Is(err, ErrLocked) {
		t.Errorf("after Lock: %v; want ErrLocked", err)
	}
}

// A value moved to another row, or altered, is reported damaged: never
// shown as another's, never a crash. A referral row keeps being listed,
// marked damaged and without its person and need.
func TestTamperedValuesAreDamaged(t *testing.T) {
	path, key, src, _ := encryptedStore(t)
	ctx := context.Background()
	db := openAt(t, path, WithDataKey(key))
	_, other := task("t2", "1", "")
	savePage(t, db, src, nil, []Referral{other})
	exec := func(query string) func() error {
		return func() error { _, err := db.sql.Exec(query); return err }
	}
	flip := func() error { // one bit of the ciphertext, past version and nonce
		var v []byte
		if err := db.sql.QueryRow(`SELECT person FROM referrals WHERE task_id = 't2'`).Scan(&v); err != nil {
			return err
		}
		v[len(v)/2] ^= 1
		_, err := db.sql.Exec(`UPDATE referrals SET person = ? WHERE task_id = 't2'`, v)
		return err
	}
	for _, tamper := range []struct {
		name string
		do   func() error
	}{
		{"moved to another row", exec(`UPDATE referrals SET person = (SELECT person FROM referrals WHERE task_id = 't1') WHERE task_id = 't2'`)},
		{"moved to another column", exec(`UPDATE referrals SET person = need WHERE task_id = 't2'`)},
		{"a flipped bit", flip},
		{"cut short", exec(`UPDATE referrals SET person = substr(person, 1, 10) WHERE task_id = 't2'`)},
	} {
		savePage(t, db, src, nil, []Referral{other}) // a sound row first
		if err := tamper.do(); err != nil {
			t.Fatalf("%s: %v", tamper.name, err)
		}
		r, err := db.Referral(ctx, src, "t2")
		if err != nil || !r.Damaged || r.Person != "" || r.Need != "" {
			t.Errorf("%s: read %q/%q, damaged %v, %v; want it marked damaged, empty", tamper.name, r.Person, r.Need, r.Damaged, err)
		}
	}
}

// A copy left by an encryption that crashed is thrown away, and the file it
// came from is encrypted as if nothing had happened; an encrypted file is
// never encrypted twice.
func TestEncryptFileRecoversFromACrashedCopy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	db := openAt(t, path)
	src, _ := fillEveryTable(t, db)
	db.Close()
	if err := os.WriteFile(path+".encrypting", []byte("half a copy"), 0o600); err != nil {
		t.Fatal(err)
	}
	key, v := testVault(t)
	ctx := context.Background()
	if err := EncryptFile(ctx, path, key, v); err != nil {
		t.Fatalf("EncryptFile after a crashed copy: %v", err)
	}
	if _, err := os.Stat(path + ".encrypting"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the copy is still there: %v", err)
	}
	if err := EncryptFile(ctx, path, key, v); !errors.Is(err, ErrEncrypted) {
		t.Errorf("encrypting twice: %v; want ErrEncrypted", err)
	}
	db = openAt(t, path, WithDataKey(key))
	if r, err := db.Referral(ctx, src, "t1"); err != nil || r.Person != "Zelda Quarrington" {
		t.Errorf("after encryption: %+v, %v", r, err)
	}
}

// A new passphrase rewraps the same key: nothing sealed changes.
func TestSaveVaultKeepsTheData(t *testing.T) {
	path, key, src, _ := encryptedStore(t)
	ctx := context.Background()
	db := openAt(t, path)
	_, v := testVault(t)
	if err := db.SaveVault(ctx, v); !errors.Is(err, ErrLocked) {
		t.Errorf("saving a vault while locked: %v; want ErrLocked", err)
	}
	if err := db.Unlock(ctx, key); err != nil {
		t.Fatal(err)
	}
	w, err := keys.WrapWithPassphrase(key, "a new passphrase of four words", keys.Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	v.Passphrase = w
	if err := db.SaveVault(ctx, v); err != nil {
		t.Fatal(err)
	}
	got, err := db.Vault(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if k, err := keys.Unwrap(got.Passphrase, "a new passphrase of four words"); err != nil || !bytes.Equal(k, key) {
		t.Errorf("the new passphrase unwraps %x, %v", k, err)
	}
	if r, err := db.Referral(ctx, src, "t1"); err != nil || r.Person != "Zelda Quarrington" {
		t.Errorf("after a new passphrase: %+v, %v", r, err)
	}
}

// A stored resource that does not open is left out of a batch read, so the
// sync fetches it again; read alone, it says it is damaged.
func TestADamagedResourceIsLeftOutOfABatchRead(t *testing.T) {
	path, key, src, _ := encryptedStore(t)
	ctx := context.Background()
	db := openAt(t, path, WithDataKey(key))
	p2 := Resource{Type: "Patient", ID: "p2", JSON: []byte(`{"resourceType":"Patient","id":"p2"}`)}
	savePage(t, db, src, []Resource{p2}, nil)
	if _, err := db.sql.Exec(`UPDATE resources SET json = (SELECT json FROM resources WHERE id = 'p1') WHERE id = 'p2'`); err != nil {
		t.Fatal(err)
	}
	found, err := db.Resources(ctx, src, "Patient", []string{"p1", "p2"})
	if err != nil || len(found) != 1 || found["p1"].ID != "p1" {
		t.Errorf("a batch read with p2 damaged: %v, %v; want p1 alone", found, err)
	}
	if _, err := db.Resource(ctx, src, "Patient", "p2"); !errors.Is(err, ErrDamaged) {
		t.Errorf("reading p2 alone: %v; want ErrDamaged", err)
	}
}
