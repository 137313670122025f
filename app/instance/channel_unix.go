//go:build !windows

package instance

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// lockFolder takes the data folder's lock file with flock, which the
// kernel drops when the process ends, however it ends.
func lockFolder(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("instance: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, LockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("instance: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, ErrRunning
		}
		return nil, fmt.Errorf("instance: lock %s: %w", f.Name(), err)
	}
	return func() { f.Close() }, nil
}

// listen makes the socket, readable and writable by this user only. A socket
// file already there is a crashed run's (this launch holds the lock): it is
// removed first.
func listen(dir string) (net.Listener, error) {
	path := filepath.Join(dir, SocketName)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	// The folder is the user's own (0700); the mode keeps others out even
	// of a folder someone opened up.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// dial connects to the socket of the launch holding the folder, after
// checking the socket is this user's: a link is never handed to another
// user's program.
func dial(ctx context.Context, dir string) (net.Conn, error) {
	path := filepath.Join(dir, SocketName)
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); fi.Mode().Type() != fs.ModeSocket || !ok || int(st.Uid) != currentUID() {
		return nil, ErrNotYours
	}
	var d net.Dialer
	return d.DialContext(ctx, "unix", path)
}

func currentUID() int { return os.Getuid() }
