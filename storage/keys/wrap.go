package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of a data key: AES-256.
const KeySize = 32

// The key derivations a Wrapped may name.
const (
	kdfArgon2id = "argon2id"    // from a passphrase
	kdfHKDF     = "hkdf-sha256" // from a recovery key
)

const (
	saltSize = 16
	// associatedPrefix binds a sealed key to its purpose and derivation, so
	// a wrapping cannot pass for another kind of ciphertext or derivation.
	associatedPrefix = "referraldesk data key v1|"
	// recoveryInfo is HKDF's context for keys derived from a recovery key.
	recoveryInfo = "referraldesk recovery key v1"
)

// ErrWrongSecret: the passphrase or recovery key does not unwrap this key
// (also a damaged wrapping: GCM cannot tell).
var ErrWrongSecret = errors.New("keys: wrong passphrase or recovery key")

// Wrapped is a data key encrypted under a key derived from a secret (a
// passphrase or a recovery key). It is JSON-serialisable and holds no secret.
type Wrapped struct {
	KDF    string `json:"kdf"`    // "argon2id" (passphrase) or "hkdf-sha256" (recovery key)
	Params Params `json:"params"` // zero for hkdf-sha256
	Salt   []byte `json:"salt"`   // 16 random bytes
	Nonce  []byte `json:"nonce"`  // AES-GCM nonce (12 bytes)
	Sealed []byte `json:"sealed"` // AES-256-GCM of the data key, associated data "referraldesk data key v1|" + KDF
}

// Vault is what is kept about a data key: one wrapping by the passphrase, one
// by the recovery key.
type Vault struct {
	Passphrase Wrapped `json:"passphrase"`
	Recovery   Wrapped `json:"recovery"`
}

// NewDataKey returns a new random data key.
func NewDataKey() ([]byte, error) {
	return randomBytes(KeySize), nil
}

// NewVault wraps dataKey under both secrets, the passphrase with DefaultParams.
func NewVault(dataKey []byte, passphrase, recoveryKey string) (Vault, error) {
	p, err := WrapWithPassphrase(dataKey, passphrase, DefaultParams)
	if err != nil {
		return Vault{}, err
	}
	r, err := WrapWithRecovery(dataKey, recoveryKey)
	if err != nil {
		return Vault{}, err
	}
	return Vault{Passphrase: p, Recovery: r}, nil
}

// WrapWithPassphrase wraps dataKey under passphrase with Argon2id at params.
// It refuses an empty passphrase; whether one is strong enough is
// CheckPassphrase's business.
func WrapWithPassphrase(dataKey []byte, passphrase string, params Params) (Wrapped, error) {
	if strings.TrimSpace(passphrase) == "" {
		return Wrapped{}, errors.New("keys: the passphrase is empty")
	}
	salt := randomBytes(saltSize)
	kek, err := passphraseKey(passphrase, salt, params)
	if err != nil {
		return Wrapped{}, err
	}
	return seal(dataKey, kek, Wrapped{KDF: kdfArgon2id, Params: params, Salt: salt})
}

// WrapWithRecovery wraps dataKey under a recovery key (see NewRecoveryKey). A
// recovery key has 160 random bits, far beyond guessing, so HKDF-SHA256 is
// enough: stretching it like a passphrase would add nothing.
func WrapWithRecovery(dataKey []byte, recoveryKey string) (Wrapped, error) {
	salt := randomBytes(saltSize)
	kek, err := recoveryKeyKey(recoveryKey, salt)
	if err != nil {
		return Wrapped{}, err
	}
	return seal(dataKey, kek, Wrapped{KDF: kdfHKDF, Salt: salt})
}

// Unwrap returns the data key w holds, given the secret it was wrapped with:
// a passphrase or a recovery key, as w.KDF says. Recovery keys are accepted
// whatever their case, spaces and dashes. A secret that does not fit, including
// a recovery key mistyped beyond repair, gives an error that is ErrWrongSecret.
func Unwrap(w Wrapped, secret string) ([]byte, error) {
	if err := w.checkShape(); err != nil {
		return nil, err
	}
	kek, err := w.key(secret)
	if err != nil {
		return nil, err
	}
	return open(w, kek)
}

// key derives from secret the key that wraps w's data key.
func (w Wrapped) key(secret string) ([]byte, error) {
	if w.KDF == kdfArgon2id {
		return passphraseKey(secret, w.Salt, w.Params)
	}
	kek, err := recoveryKeyKey(secret, w.Salt)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWrongSecret, err)
	}
	return kek, nil
}

// checkShape says what is wrong with a wrapping before any key is derived
// from it, so that damage GCM could not name is named, and so that a wrong
// nonce size cannot make GCM panic.
func (w Wrapped) checkShape() error {
	switch w.KDF {
	case kdfArgon2id:
	case kdfHKDF:
		if w.Params != (Params{}) {
			return errors.New("keys: the recovery-key wrapping is damaged: it has Argon2id costs")
		}
	default:
		return fmt.Errorf("keys: the key is wrapped with %q, which this version does not know: "+
			"it was written by a newer version of Referral Desk, or is damaged", w.KDF)
	}
	switch {
	case len(w.Salt) != saltSize:
		return fmt.Errorf("keys: the wrapped key is damaged: its salt is %d bytes, not %d", len(w.Salt), saltSize)
	case len(w.Nonce) != nonceSize:
		return fmt.Errorf("keys: the wrapped key is damaged: its nonce is %d bytes, not %d", len(w.Nonce), nonceSize)
	case len(w.Sealed) != KeySize+tagSize:
		return fmt.Errorf("keys: the wrapped key is damaged: it is %d bytes, not %d", len(w.Sealed), KeySize+tagSize)
	}
	return nil
}

// recoveryKeyKey derives the key that wraps a data key from a recovery key:
// HKDF-SHA256 over its 160 bits, whatever way they were typed.
func recoveryKeyKey(recoveryKey string, salt []byte) ([]byte, error) {
	raw, err := recoveryKeyBits(recoveryKey)
	if err != nil {
		return nil, err
	}
	return hkdf.Key(sha256.New, raw, salt, recoveryInfo, KeySize)
}

// The sizes of AES-GCM's standard nonce and tag.
const (
	nonceSize = 12
	tagSize   = 16
)

// seal fills in w.Nonce and w.Sealed: dataKey under kek with AES-256-GCM.
// The nonce is random: each kek seals one key, under a fresh salt.
func seal(dataKey, kek []byte, w Wrapped) (Wrapped, error) {
	defer clear(kek)
	if len(dataKey) != KeySize {
		return Wrapped{}, fmt.Errorf("keys: a data key is %d bytes, not %d", KeySize, len(dataKey))
	}
	aead, err := newGCM(kek)
	if err != nil {
		return Wrapped{}, err
	}
	w.Nonce = randomBytes(nonceSize)
	w.Sealed = aead.Seal(nil, w.Nonce, dataKey, associatedData(w.KDF))
	return w, nil
}

// open returns the data key w seals under kek, or ErrWrongSecret.
func open(w Wrapped, kek []byte) ([]byte, error) {
	defer clear(kek)
	aead, err := newGCM(kek)
	if err != nil {
		return nil, err
	}
	dataKey, err := aead.Open(nil, w.Nonce, w.Sealed, associatedData(w.KDF))
	if err != nil {
		return nil, ErrWrongSecret
	}
	return dataKey, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return cipher.NewGCM(block)
}

func associatedData(kdf string) []byte { return []byte(associatedPrefix + kdf) }

// randomBytes returns n bytes from crypto/rand, which since Go 1.24 never
// fails: it crashes the program rather than return predictable bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
