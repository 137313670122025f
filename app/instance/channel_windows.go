package instance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/Microsoft/go-winio"
)

// lockFolder opens the data folder's lock file without sharing it: a second
// open fails until this process ends, however it ends.
func lockFolder(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("instance: %w", err)
	}
	name, err := syscall.UTF16PtrFromString(filepath.Join(dir, LockName))
	if err != nil {
		return nil, fmt.Errorf("instance: %w", err)
	}
	h, err := syscall.CreateFile(name, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0, nil,
		syscall.OPEN_ALWAYS, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		if errors.Is(err, errSharingViolation) {
			return nil, ErrRunning
		}
		return nil, fmt.Errorf("instance: lock: %w", err)
	}
	return func() { syscall.CloseHandle(h) }, nil
}

// errSharingViolation is ERROR_SHARING_VIOLATION: the file is open elsewhere.
const errSharingViolation syscall.Errno = 32

// pipeName names the folder's pipe: pipes live in one namespace for the
// whole computer, so the name comes from the folder's whole path.
func pipeName(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	sum := sha256.Sum256([]byte(strings.ToLower(abs)))
	return `\\.\pipe\referraldesk-` + hex.EncodeToString(sum[:8])
}

// listen makes the folder's named pipe, which only this user may open (its
// ACL names this user alone). A pipe of that name that another user made
// first makes this fail: the claim still holds, without a channel.
func listen(dir string) (net.Listener, error) {
	u, err := user.Current()
	if err != nil {
		return nil, err
	}
	return winio.ListenPipe(pipeName(dir), &winio.PipeConfig{SecurityDescriptor: "D:P(A;;GA;;;" + u.Uid + ")"})
}

// dial opens the pipe of the launch holding the folder. The pipe's ACL
// lets only its maker's user in; a link holds no secret, so a pipe made by
// someone else under this name (they could not hold the folder's lock) at
// worst learns a platform's public settings.
func dial(ctx context.Context, dir string) (net.Conn, error) {
	return winio.DialPipeContext(ctx, pipeName(dir))
}

// currentUID: Windows has no uid; peerUID never asks for it there.
func currentUID() int { return -1 }
