package app_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/referraldesk/referraldesk/app"
)

// realKeyringEnv is set by `make test`'s keyring step, which runs this test
// in a D-Bus session of its own with gnome-keyring unlocked in it
// (.ci/keyring-test): elsewhere there may be no Secret Service, or the
// person's own keyring, which a test must not touch.
const realKeyringEnv = "REFERRALDESK_REAL_KEYRING"

// The system keyring keeps a data folder's key, gives it back, and forgets
// it: through the real Secret Service.
func TestSystemKeyringKeepsAndForgetsTheKey(t *testing.T) {
	if os.Getenv(realKeyringEnv) == "" {
		t.Skipf("set %s and run in a D-Bus session with a Secret Service (make test does: .ci/keyring-test)", realKeyringEnv)
	}
	kr := app.SystemKeyring()
	folder := t.TempDir()
	key := bytes.Repeat([]byte{0xA7}, 32)
	if _, err := kr.Get(folder); !errors.Is(err, app.ErrNotRemembered) {
		t.Fatalf("Get before Set: %v; want ErrNotRemembered", err)
	}
	if err := kr.Set(folder, key); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if got, err := kr.Get(folder); err != nil || !bytes.Equal(got, key) {
		t.Fatalf("Get = %x, %v; want the key set", got, err)
	}
	if err := kr.Delete(folder); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := kr.Get(folder); !errors.Is(err, app.ErrNotRemembered) {
		t.Errorf("Get after Delete: %v; want ErrNotRemembered", err)
	}
	if err := kr.Delete(folder); err != nil {
		t.Errorf("forgetting a key never remembered: %v", err)
	}
}
