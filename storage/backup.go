package storage

import (
	"bufio"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/referraldesk/referraldesk/storage/keys"
)

// A backup is the whole database, encrypted as a whole: the protected
// columns are sealed already, and the rest (statuses, dates, platforms)
// travels encrypted too. It opens with the same passphrase or recovery key
// as the store it came from, on any computer:
//
//	"REFERRALDESK-BACKUP 1\n"
//	uint32 length, then the header as JSON: the vault, a salt, when
//	chunks: uint32 length, then AES-256-GCM of up to backupChunk bytes
//
// The chunks' key is derived from the data key and the salt (HKDF-SHA256);
// each chunk's nonce is its number and whether it is the last, and its
// associated data the header's hash: chunks cannot be reordered, dropped,
// cut off at the end, or moved to another backup.

const (
	backupMagic = "REFERRALDESK-BACKUP 1\n"
	backupChunk = 1 << 20
	maxHeader   = 1 << 16
)

var (
	// ErrNotABackup: the file is not a Referral Desk backup.
	ErrNotABackup = errors.New("this file is not a Referral Desk backup")
	// ErrBackupDamaged: the backup was altered or is incomplete.
	ErrBackupDamaged = errors.New("the backup is damaged or incomplete")
)

type backupHeader struct {
	Vault   keys.Vault `json:"vault"`
	Salt    []byte     `json:"salt"`
	Created time.Time  `json:"created"`
}

// Backup writes an encrypted backup of the store to w. The store must be
// unlocked and encrypted: a backup is never written in plaintext.
func (db *DB) Backup(ctx context.Context, w io.Writer) error {
	s, ok := db.sealer().(aesGCM)
	if !ok {
		return fmt.Errorf("storage: backup: %w", errors.Join(ErrLocked, ErrNotEncrypted))
	}
	v, err := db.Vault(ctx)
	if err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	copyPath, err := db.snapshot(ctx)
	if err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	defer removeFiles(copyPath)
	f, err := os.Open(copyPath)
	if err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	defer f.Close()
	h := backupHeader{Vault: v, Salt: make([]byte, 16), Created: db.now().UTC()}
	if _, err := rand.Read(h.Salt); err != nil {
		return err
	}
	if err := writeBackup(w, f, s.key, h); err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	return nil
}

// snapshot copies the database, compacted, beside it (never to the system's
// temporary folder), and returns the copy's path.
func (db *DB) snapshot(ctx context.Context) (string, error) {
	var file string
	if err := db.sql.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil {
		return "", err
	}
	copyPath := file + ".backup"
	if err := removeFiles(copyPath); err != nil {
		return "", err
	}
	_, err := db.sql.ExecContext(ctx, `VACUUM INTO ?`, copyPath)
	return copyPath, err
}

func writeBackup(w io.Writer, r io.Reader, dataKey []byte, h backupHeader) error {
	header, err := json.Marshal(h)
	if err != nil {
		return err
	}
	aead, err := backupCipher(dataKey, h.Salt)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(backupMagic)
	binary.Write(bw, binary.BigEndian, uint32(len(header)))
	bw.Write(header)
	ad := sha256.Sum256(header)
	cur, next := make([]byte, backupChunk), make([]byte, backupChunk)
	n, err := readChunk(r, cur)
	for i := uint64(0); ; i++ {
		if err != nil {
			return err
		}
		var m int
		m, err = readChunk(r, next)
		last := m == 0 && err == nil
		sealed := aead.Seal(nil, chunkNonce(i, last), cur[:n], ad[:])
		binary.Write(bw, binary.BigEndian, uint32(len(sealed)))
		bw.Write(sealed)
		if last {
			return bw.Flush()
		}
		cur, next, n = next, cur, m
	}
}

// readChunk fills buf from r as far as r goes; n is 0 at its end.
func readChunk(r io.Reader, buf []byte) (int, error) {
	n, err := io.ReadFull(r, buf)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil
	}
	return n, err
}

func backupCipher(dataKey, salt []byte) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, dataKey, salt, "referraldesk backup v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// chunkNonce is chunk n's nonce: its number, and whether it is the last.
func chunkNonce(n uint64, last bool) []byte {
	nonce := make([]byte, nonceSize)
	binary.BigEndian.PutUint64(nonce, n)
	if last {
		nonce[8] = 1
	}
	return nonce
}

// Restore replaces the database at path with the backup r holds. unwrap
// gives the backup's data key from its vault (asking the person for the
// passphrase or the recovery key); its error is returned as it is. The
// database must be closed. A damaged, cut or foreign file changes nothing;
// the database it replaces is kept beside it as path + ".before-restore".
func Restore(ctx context.Context, r io.Reader, path string, unwrap func(keys.Vault) ([]byte, error)) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	br := bufio.NewReader(r)
	h, ad, err := readBackupHeader(br)
	if err != nil {
		return err
	}
	key, err := unwrap(h.Vault)
	if err != nil {
		return err
	}
	restoring := abs + ".restoring"
	if err := decryptBackup(br, restoring, key, h.Salt, ad); err != nil {
		removeFiles(restoring)
		return err
	}
	if err := checkRestored(ctx, restoring, key); err != nil {
		removeFiles(restoring)
		return err
	}
	if err := keepAside(abs, abs+".before-restore"); err != nil {
		removeFiles(restoring)
		return err
	}
	return replace(abs, restoring)
}

func readBackupHeader(br *bufio.Reader) (backupHeader, [32]byte, error) {
	magic := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != backupMagic {
		return backupHeader{}, [32]byte{}, ErrNotABackup
	}
	var n uint32
	if err := binary.Read(br, binary.BigEndian, &n); err != nil || n > maxHeader {
		return backupHeader{}, [32]byte{}, ErrBackupDamaged
	}
	header := make([]byte, n)
	var h backupHeader
	if _, err := io.ReadFull(br, header); err != nil || json.Unmarshal(header, &h) != nil {
		return backupHeader{}, [32]byte{}, ErrBackupDamaged
	}
	return h, sha256.Sum256(header), nil
}

// decryptBackup writes the database the chunks hold to path (0600).
func decryptBackup(br *bufio.Reader, path string, key, salt []byte, ad [32]byte) error {
	aead, err := backupCipher(key, salt)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	for n := uint64(0); ; n++ {
		var size uint32
		if err := binary.Read(br, binary.BigEndian, &size); err != nil || size > backupChunk+uint32(aead.Overhead()) {
			return ErrBackupDamaged
		}
		sealed := make([]byte, size)
		if _, err := io.ReadFull(br, sealed); err != nil {
			return ErrBackupDamaged
		}
		plain, err := aead.Open(nil, chunkNonce(n, false), sealed, ad[:])
		last := false
		if err != nil {
			if plain, err = aead.Open(nil, chunkNonce(n, true), sealed, ad[:]); err != nil {
				return ErrBackupDamaged
			}
			last = true
		}
		if _, err := f.Write(plain); err != nil {
			return err
		}
		if last {
			if _, err := br.ReadByte(); err != io.EOF {
				return ErrBackupDamaged // something after the last chunk
			}
			return f.Sync()
		}
	}
}

// checkRestored opens the restored file with its key, as the app will.
func checkRestored(ctx context.Context, path string, key []byte) error {
	db, err := Open(path, WithDataKey(key))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBackupDamaged, err)
	}
	defer db.Close()
	var ok string
	if err := db.sql.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		return fmt.Errorf("%w: integrity check: %s %v", ErrBackupDamaged, ok, err)
	}
	return nil
}

// keepAside moves the database at path (if any) to aside, replacing an
// older one there.
func keepAside(path, aside string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := removeFiles(aside); err != nil {
		return err
	}
	for _, side := range []string{"-wal", "-shm"} {
		if err := os.Remove(path + side); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return os.Rename(path, aside)
}
