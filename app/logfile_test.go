package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLogFileRotatesAtItsCap(t *testing.T) {
	dir := t.TempDir()
	log, lf, err := OpenLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	line := strings.Repeat("x", 1000)
	for i := range 4 * LogFileMax / 1000 {
		log.Info("entry", "n", i, "pad", line)
	}
	lf.Close()
	for _, name := range []string{LogFileName, LogFileName + ".1", LogFileName + ".2", LogFileName + ".3"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("after 4 MiB of records: %v", err)
		}
		if st.Size() > LogFileMax {
			t.Errorf("%s is %d bytes, over the cap of %d", name, st.Size(), LogFileMax)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v; the log is the case worker's alone (0600)", name, st.Mode().Perm())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("%s.%d", LogFileName, LogFileKeep+1))); err == nil {
		t.Errorf("more than %d old log files are kept", LogFileKeep)
	}
}

func TestExplainLogsTheCauseNotJustTheSentence(t *testing.T) {
	dir := t.TempDir()
	log, lf, err := OpenLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := New(Options{Log: log})
	cause := errors.New("disk I/O error: database is locked")
	say := a.Explain(&Error{Op: "open the database", Reason: reasonDataFolder, Path: dir, Err: fmt.Errorf("saving page 3: %w", cause)})
	lf.Close()
	if say != "Referral Desk could not open its data in "+dir+"." {
		t.Errorf("Explain said %q", say)
	}
	b, err := os.ReadFile(filepath.Join(dir, LogFileName))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "database is locked") {
		t.Errorf("the log does not keep the cause behind the message:\n%s", b)
	}
}
