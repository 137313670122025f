package app

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// A claim on a change (storage.ClaimChange) names its process: its id on
// this computer and a random part, so that a claim left by a process that
// died (killed, or the computer lost power) is taken over at once rather
// than when its lease ends.

// newClaimer names this process's claims.
func newClaimer() string { return fmt.Sprintf("%d/%s", os.Getpid(), rand.Text()) }

// claimerGone reports whether the process that made a claim is known to be
// gone: false when it may be running (or cannot be told, as on Windows,
// where the lease decides).
func claimerGone(claimer string) bool {
	pidText, _, ok := strings.Cut(claimer, "/")
	pid, err := strconv.Atoi(pidText)
	if !ok || err != nil || pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return false // this process: another App of it, alive
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return true
	}
	return errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone)
}
