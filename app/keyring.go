package app

import (
	"encoding/base64"
	"errors"

	"github.com/zalando/go-keyring"
)

// keyringService is the name Referral Desk's keys go under in the system
// keyring; each data folder's key is an entry of its own, named by the
// folder.
const keyringService = "Referral Desk data key"

// SystemKeyring is the system's keyring: Secret Service on Linux, Keychain
// on macOS, Credential Manager on Windows. It holds 44 characters per data
// folder, well within the smallest limit (Windows, ~2.5 KB).
func SystemKeyring() Keyring { return systemKeyring{} }

type systemKeyring struct{}

func (systemKeyring) Get(folder string) ([]byte, error) {
	s, err := keyring.Get(keyringService, folder)
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, ErrNotRemembered
	}
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(s)
}

func (systemKeyring) Set(folder string, key []byte) error {
	return keyring.Set(keyringService, folder, base64.StdEncoding.EncodeToString(key))
}

func (systemKeyring) Delete(folder string) error {
	if err := keyring.Delete(keyringService, folder); err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return err
	}
	return nil
}
