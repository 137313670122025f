//go:build !linux

package main

import "time"

// sleepUntil sleeps until at; Linux has a finer one (main_sleep_linux_test.go).
func sleepUntil(at time.Time) { time.Sleep(time.Until(at)) }
