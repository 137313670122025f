package apptest

import (
	"bytes"
	"sync"

	"github.com/referraldesk/referraldesk/app"
)

// Keyring stands in for the system keyring, which a test cannot reach: it
// remembers a key per data folder, in memory. GetErr, when set, is what Get
// fails with, as a keyring that cannot be reached does.
type Keyring struct {
	mu     sync.Mutex
	keys   map[string][]byte
	GetErr error
}

func (k *Keyring) Get(folder string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.GetErr != nil {
		return nil, k.GetErr
	}
	key, ok := k.keys[folder]
	if !ok {
		return nil, app.ErrNotRemembered
	}
	return key, nil
}

func (k *Keyring) Set(folder string, key []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		k.keys = map[string][]byte{}
	}
	k.keys[folder] = bytes.Clone(key)
	return nil
}

func (k *Keyring) Delete(folder string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.keys, folder)
	return nil
}

// Remembers reports whether a key is kept for folder (whatever GetErr says).
func (k *Keyring) Remembers(folder string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.keys[folder]
	return ok
}
