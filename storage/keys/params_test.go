package keys

import (
	"testing"
	"time"
)

func TestDefaultParamsAreAllowed(t *testing.T) {
	if err := DefaultParams.check(); err != nil {
		t.Fatalf("DefaultParams %+v: %v; new wrappings could not be made", DefaultParams, err)
	}
}

// BenchmarkUnwrapPassphrase measures what a person waits for at unlock: one
// Argon2id derivation at DefaultParams and one AES-GCM open. Its ns/op is the
// figure DefaultParams' comment quotes; it must stay well under a second on
// a 2-core laptop.
func BenchmarkUnwrapPassphrase(b *testing.B) {
	key, _ := NewDataKey()
	w, err := WrapWithPassphrase(key, "correct horse battery staple", DefaultParams)
	if err != nil {
		b.Fatalf("WrapWithPassphrase: %v", err)
	}
	start := time.Now()
	for b.Loop() {
		if _, err := Unwrap(w, "correct horse battery staple"); err != nil {
			b.Fatalf("Unwrap: %v", err)
		}
	}
	if perOp := time.Since(start) / time.Duration(b.N); perOp > time.Second {
		b.Errorf("unwrapping at DefaultParams %+v took %v; a person would wait over a second at unlock", DefaultParams, perOp)
	}
}
