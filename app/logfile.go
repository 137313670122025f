package app

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
)

// The log keeps the causes behind the messages a case worker sees, for
// support. It is capped: at LogFileMax bytes the file is renamed with a ".1"
// (the older ones move to ".2", ".3") and a new one starts, so at most
// LogFileKeep+1 files of about LogFileMax each stay in the data folder.
const (
	LogFileName = "referraldesk.log"
	LogFileMax  = 1 << 20
	LogFileKeep = 3
)

// LogFile is the size-capped, rotated log file in the data folder. It is
// safe for concurrent use.
type LogFile struct {
	mu   sync.Mutex
	path string
	f    *os.File
	size int64
}

// OpenLog opens (creating it 0600) the log file in dir and returns a logger
// that writes to it. Close the LogFile when done.
func OpenLog(dir string) (*slog.Logger, *LogFile, error) {
	lf := &LogFile{path: filepath.Join(dir, LogFileName)}
	if err := lf.open(); err != nil {
		return nil, nil, err
	}
	return slog.New(slog.NewTextHandler(lf, &slog.HandlerOptions{Level: slog.LevelInfo})), lf, nil
}

// DiscardLog is the logger of an App given none.
func DiscardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

func (lf *LogFile) open() error {
	if err := os.MkdirAll(filepath.Dir(lf.path), 0o700); err != nil {
		return fmt.Errorf("log: %w", err)
	}
	f, err := os.OpenFile(lf.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("log: %w", err)
	}
	lf.f, lf.size = f, st.Size()
	return nil
}

// Write appends one record, rotating first when it would pass LogFileMax.
func (lf *LogFile) Write(p []byte) (int, error) {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	if lf.f == nil {
		return 0, os.ErrClosed
	}
	if lf.size > 0 && lf.size+int64(len(p)) > LogFileMax {
		if err := lf.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := lf.f.Write(p)
	lf.size += int64(n)
	return n, err
}

// rotate moves referraldesk.log to .1, .1 to .2 … dropping the oldest.
func (lf *LogFile) rotate() error {
	if err := lf.f.Close(); err != nil {
		return fmt.Errorf("log: %w", err)
	}
	lf.f = nil
	for i := LogFileKeep - 1; i >= 1; i-- {
		os.Rename(fmt.Sprintf("%s.%d", lf.path, i), fmt.Sprintf("%s.%d", lf.path, i+1))
	}
	if err := os.Rename(lf.path, lf.path+".1"); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("log: %w", err)
	}
	return lf.open()
}

// Close closes the file.
func (lf *LogFile) Close() error {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	if lf.f == nil {
		return nil
	}
	err := lf.f.Close()
	lf.f = nil
	return err
}

var _ io.WriteCloser = (*LogFile)(nil)
