package main

import (
	"runtime"
	"syscall"
	"time"
)

// sleepUntil sleeps on a thread of its own with the kernel's finest timer:
// Go's timers may wake a millisecond late, as long as the whole refresh,
// and spinning would take one of the machine's two cores from the program
// being killed.
func sleepUntil(at time.Time) {
	runtime.LockOSThread() // the thread ends with the goroutine
	const prSetTimerslack = 29
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerslack, 1, 0) // 1 ns, not the default 50 µs
	for d := time.Until(at); d > 0; d = time.Until(at) {
		ts := syscall.NsecToTimespec(int64(d))
		syscall.Nanosleep(&ts, nil)
	}
}
