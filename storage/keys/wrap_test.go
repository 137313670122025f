package keys

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// fastParams keep unit tests quick; TestNewVault covers DefaultParams.
var fastParams = Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

const testPassphrase = "correct horse battery staple"

func newTestKey(t *testing.T) []byte {
	t.Helper()
	k, err := NewDataKey()
	if err != nil {
		t.Fatalf("NewDataKey: %v", err)
	}
	if len(k) != KeySize {
		t.Fatalf("NewDataKey returned %d bytes, want %d", len(k), KeySize)
	}
	return k
}

func newTestRecoveryKey(t *testing.T) string {
	t.Helper()
	rk, err := NewRecoveryKey()
	if err != nil {
		t.Fatalf("NewRecoveryKey: %v", err)
	}
	return rk
}

func wrapPassphrase(t *testing.T, key []byte, passphrase string, p Params) Wrapped {
	t.Helper()
	w, err := WrapWithPassphrase(key, passphrase, p)
	if err != nil {
		t.Fatalf("WrapWithPassphrase: %v", err)
	}
	return w
}

func wrapRecovery(t *testing.T, key []byte, recoveryKey string) Wrapped {
	t.Helper()
	w, err := WrapWithRecovery(key, recoveryKey)
	if err != nil {
		t.Fatalf("WrapWithRecovery: %v", err)
	}
	return w
}

// mustUnwrapTo fails unless w unwraps with secret to want.
func mustUnwrapTo(t *testing.T, w Wrapped, secret string, want []byte) {
	t.Helper()
	got, err := Unwrap(w, secret)
	if err != nil {
		t.Fatalf("Unwrap(%s wrapping, %q): %v; the right secret must unwrap", w.KDF, secret, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Unwrap(%s wrapping) = %x, want the data key %x", w.KDF, got, want)
	}
}

func TestRoundTrip(t *testing.T) {
	key := newTestKey(t)
	rk := newTestRecoveryKey(t)
	tests := []struct {
		name   string
		w      Wrapped
		secret string
	}{
		{"passphrase", wrapPassphrase(t, key, testPassphrase, fastParams), testPassphrase},
		// Leading and trailing space does not count, in the rule or in the key.
		{"passphrase with spaces around", wrapPassphrase(t, key, testPassphrase, fastParams), "  " + testPassphrase + "\n"},
		{"recovery key", wrapRecovery(t, key, rk), rk},
		{"recovery key lower case without dashes", wrapRecovery(t, key, rk), strings.ToLower(strings.ReplaceAll(rk, "-", ""))},
		{"recovery key in groups with spaces", wrapRecovery(t, key, rk), strings.ReplaceAll(rk, "-", " ")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { mustUnwrapTo(t, tt.w, tt.secret, key) })
	}
}

func TestNewVault(t *testing.T) {
	if testing.Short() {
		t.Skip("NewVault runs Argon2id at DefaultParams")
	}
	key := newTestKey(t)
	rk := newTestRecoveryKey(t)
	v, err := NewVault(key, testPassphrase, rk)
	if err != nil {
		t.Fatalf("NewVault: %v", err)
	}
	if v.Passphrase.KDF != kdfArgon2id || v.Passphrase.Params != DefaultParams {
		t.Errorf("vault passphrase wrapping is %s at %+v, want argon2id at DefaultParams %+v",
			v.Passphrase.KDF, v.Passphrase.Params, DefaultParams)
	}
	mustUnwrapTo(t, v.Passphrase, testPassphrase, key)
	mustUnwrapTo(t, v.Recovery, rk, key)
}

func TestWrongSecret(t *testing.T) {
	key := newTestKey(t)
	rk := newTestRecoveryKey(t)
	byPassphrase := wrapPassphrase(t, key, testPassphrase, fastParams)
	byRecovery := wrapRecovery(t, key, rk)
	tests := []struct {
		name   string
		w      Wrapped
		secret string
	}{
		{"other passphrase", byPassphrase, "correct horse battery stapler"},
		{"passphrase differing in case", byPassphrase, strings.ToUpper(testPassphrase)},
		{"recovery key for the passphrase wrapping", byPassphrase, rk},
		{"empty passphrase", byPassphrase, ""},
		{"other recovery key", byRecovery, newTestRecoveryKey(t)},
		{"passphrase for the recovery wrapping", byRecovery, testPassphrase},
		{"recovery key one symbol short", byRecovery, rk[:len(rk)-1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Unwrap(tt.w, tt.secret)
			if !errors.Is(err, ErrWrongSecret) {
				t.Fatalf("Unwrap = %x, %v; want ErrWrongSecret so the UI can ask again", got, err)
			}
		})
	}
}

// A flipped bit anywhere GCM or the key derivation reads must be caught, and
// reads as a wrong secret: the two cannot be told apart.
func TestDamagedWrappingIsWrongSecret(t *testing.T) {
	key := newTestKey(t)
	rk := newTestRecoveryKey(t)
	wrappings := map[string]struct {
		w      Wrapped
		secret string
	}{
		"passphrase": {wrapPassphrase(t, key, testPassphrase, fastParams), testPassphrase},
		"recovery":   {wrapRecovery(t, key, rk), rk},
	}
	fields := map[string]func(*Wrapped) []byte{
		"Sealed": func(w *Wrapped) []byte { return w.Sealed },
		"Nonce":  func(w *Wrapped) []byte { return w.Nonce },
		"Salt":   func(w *Wrapped) []byte { return w.Salt },
	}
	for wname, c := range wrappings {
		for fname, field := range fields {
			for _, at := range []int{0, len(field(&c.w)) - 1} {
				damaged := clone(c.w)
				field(&damaged)[at] ^= 0x01
				got, err := Unwrap(damaged, c.secret)
				if !errors.Is(err, ErrWrongSecret) {
					t.Errorf("%s wrapping with byte %d of %s flipped: Unwrap = %x, %v; want ErrWrongSecret",
						wname, at, fname, got, err)
				}
			}
		}
	}
}

// Costs are raised by wrapping anew; wrappings made before must still open
// with the costs they were made with, not today's.
func TestUnwrapUsesStoredParams(t *testing.T) {
	key := newTestKey(t)
	older := wrapPassphrase(t, key, testPassphrase, fastParams)
	raised := wrapPassphrase(t, key, testPassphrase, Params{Time: 2, MemoryKiB: 16 * 1024, Threads: 2})
	if older.Params == DefaultParams || raised.Params == DefaultParams {
		t.Fatal("the test needs costs other than DefaultParams, to show they are not used")
	}
	mustUnwrapTo(t, older, testPassphrase, key)
	mustUnwrapTo(t, raised, testPassphrase, key)

	// Costs are part of the key: changed costs derive another key.
	edited := clone(older)
	edited.Params.Time++
	if _, err := Unwrap(edited, testPassphrase); !errors.Is(err, ErrWrongSecret) {
		t.Errorf("Unwrap with stored Time changed from %d to %d: %v; want ErrWrongSecret",
			older.Params.Time, edited.Params.Time, err)
	}
}

func TestUnwrapRefusesMalformed(t *testing.T) {
	key := newTestKey(t)
	good := wrapPassphrase(t, key, testPassphrase, fastParams)
	tests := []struct {
		name    string
		edit    func(*Wrapped)
		wantMsg string
	}{
		{"unknown KDF", func(w *Wrapped) { w.KDF = "scrypt" }, `wrapped with "scrypt", which this version does not know`},
		{"no KDF", func(w *Wrapped) { w.KDF = "" }, `wrapped with "", which this version does not know`},
		{"zero params", func(w *Wrapped) { w.Params = Params{} }, "time cost must be 1 to 10 passes, not 0"},
		{"time 0", func(w *Wrapped) { w.Params.Time = 0 }, "time cost must be 1 to 10 passes, not 0"},
		{"time absurd", func(w *Wrapped) { w.Params.Time = 1 << 31 }, "time cost must be 1 to 10 passes"},
		{"memory 0", func(w *Wrapped) { w.Params.MemoryKiB = 0 }, "memory must be 8 MiB to 4 GiB, not 0 KiB"},
		{"memory over 4 GiB", func(w *Wrapped) { w.Params.MemoryKiB = 4*1024*1024 + 1 }, "memory must be 8 MiB to 4 GiB"},
		{"memory at most", func(w *Wrapped) { w.Params.MemoryKiB = 1<<32 - 1 }, "memory must be 8 MiB to 4 GiB"},
		{"threads 0", func(w *Wrapped) { w.Params.Threads = 0 }, "threads must be 1 to 32, not 0"},
		{"threads 255", func(w *Wrapped) { w.Params.Threads = 255 }, "threads must be 1 to 32, not 255"},
		{"short nonce", func(w *Wrapped) { w.Nonce = w.Nonce[:8] }, "damaged: its nonce is 8 bytes, not 12"},
		{"no salt", func(w *Wrapped) { w.Salt = nil }, "damaged: its salt is 0 bytes, not 16"},
		{"truncated", func(w *Wrapped) { w.Sealed = w.Sealed[:KeySize] }, "damaged: it is 32 bytes, not 48"},
		{"recovery wrapping with costs", func(w *Wrapped) { w.KDF = kdfHKDF }, "has Argon2id costs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := clone(good)
			tt.edit(&w)
			got, err := Unwrap(w, testPassphrase)
			if err == nil || errors.Is(err, ErrWrongSecret) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("Unwrap = %x, %v; want an error saying %q, not a wrong secret", got, err, tt.wantMsg)
			}
		})
	}
}

func TestWrapRefuses(t *testing.T) {
	key := newTestKey(t)
	tests := []struct {
		name    string
		wrap    func() (Wrapped, error)
		wantMsg string
	}{
		{"short data key", func() (Wrapped, error) { return WrapWithPassphrase(key[:16], testPassphrase, fastParams) }, "a data key is 32 bytes, not 16"},
		{"empty passphrase", func() (Wrapped, error) { return WrapWithPassphrase(key, "   ", fastParams) }, "the passphrase is empty"},
		{"zero params", func() (Wrapped, error) { return WrapWithPassphrase(key, testPassphrase, Params{}) }, "time cost must be 1 to 10"},
		{"malformed recovery key", func() (Wrapped, error) { return WrapWithRecovery(key, "1234") }, "has 4 letters and digits but should have 32"},
		{"recovery, long data key", func() (Wrapped, error) { return WrapWithRecovery(append(key, 0), newTestRecoveryKey(t)) }, "a data key is 32 bytes, not 33"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := tt.wrap()
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("wrap = %+v, %v; want an error saying %q", w, err, tt.wantMsg)
			}
		})
	}
}

// A Vault is stored as JSON next to the data it protects, so its JSON must
// round-trip and must hold neither the data key nor either secret, in any
// encoding JSON might give them.
func TestVaultJSON(t *testing.T) {
	key := newTestKey(t)
	rk := newTestRecoveryKey(t)
	v := Vault{
		Passphrase: wrapPassphrase(t, key, testPassphrase, fastParams),
		Recovery:   wrapRecovery(t, key, rk),
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal(Vault): %v", err)
	}
	var back Vault
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("json.Unmarshal(%s): %v", data, err)
	}
	mustUnwrapTo(t, back.Passphrase, testPassphrase, key)
	mustUnwrapTo(t, back.Recovery, rk, key)

	raw, _ := recoveryKeyBits(rk)
	secrets := map[string][]byte{
		"data key":                     key,
		"data key in base64":           []byte(base64.StdEncoding.EncodeToString(key)),
		"data key in hex":              []byte(hex.EncodeToString(key)),
		"passphrase":                   []byte(testPassphrase),
		"a word of the passphrase":     []byte("battery"),
		"recovery key":                 []byte(rk),
		"recovery key without dashes":  []byte(strings.ReplaceAll(rk, "-", "")),
		"recovery key's first group":   []byte(rk[:9]),
		"recovery key's bits":          raw,
		"recovery key's bits base64":   []byte(base64.StdEncoding.EncodeToString(raw)),
		"recovery key's bits, 8 bytes": raw[:8],
	}
	for name, secret := range secrets {
		if bytes.Contains(data, secret) {
			t.Errorf("the vault's JSON holds the %s: %s", name, data)
		}
	}
	for _, field := range []string{`"kdf":"argon2id"`, `"kdf":"hkdf-sha256"`, `"params":{"t":1,"m":8192,"p":1}`} {
		if !bytes.Contains(data, []byte(field)) {
			t.Errorf("the vault's JSON lacks %s, which other versions read: %s", field, data)
		}
	}
}

// clone copies w's byte slices, so a test can damage the copy alone.
func clone(w Wrapped) Wrapped {
	w.Salt = bytes.Clone(w.Salt)
	w.Nonce = bytes.Clone(w.Nonce)
	w.Sealed = bytes.Clone(w.Sealed)
	return w
}

// An accented letter typed composed or decomposed gives the same key.
func TestPassphraseIsReadInComposedForm(t *testing.T) {
	key, _ := NewDataKey()
	w, err := WrapWithPassphrase(key, "caf\u00e9 con leche por favor", Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Unwrap(w, "cafe\u0301 con leche por favor"); err != nil || string(got) != string(key) {
		t.Errorf("the decomposed é did not unwrap the key: %v", err)
	}
}
