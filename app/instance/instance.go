// Package instance keeps one Referral Desk window per data folder: the first
// launch claims the folder and listens on a channel only the same user can
// open (a Unix socket in the data folder, mode 0600; a named pipe on
// Windows); a second launch — a double-click, a referraldesk:// link, or
// referraldesk with no command — hands its link to the first over that
// channel and exits, so two windows never share one database.
//
// The claim is a lock on a file in the data folder (flock; a file opened
// without sharing on Windows), which the system drops when the process
// ends, however it ends: a crashed run leaves no claim behind, and the
// socket it left is removed by the next claim.
package instance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// LockName and SocketName are the files in the data folder.
	LockName   = "referraldesk.lock"
	SocketName = "referraldesk.sock"

	// greeting starts each hand-over: "open" and the link, quoted (so any
	// bytes of it, a newline or invalid UTF-8, arrive as they were and the
	// window's checks refuse them there).
	greeting = "referraldesk open "
	answer   = "ok"
	// maxMessage bounds what a hand-over may send: a link is refused past
	// 2 048 characters anyway.
	maxMessage = 16 << 10
	// exchangeTime bounds one hand-over, so a stuck peer cannot hold the channel.
	exchangeTime = 5 * time.Second
	// retryEvery is how often Hand tries again while the first launch,
	// which holds the claim, is not listening yet (it is starting).
	retryEvery = 50 * time.Millisecond
)

// ErrRunning means another launch holds the data folder: hand it the link.
var ErrRunning = errors.New("instance: Referral Desk is already open for this data folder")

// ErrNotYours means the channel in the data folder belongs to another user:
// nothing is sent to it.
var ErrNotYours = errors.New("instance: the data folder's channel belongs to another user")

// Instance is this launch's claim on a data folder and the channel later
// launches hand their links over.
type Instance struct {
	release func()
	ln      net.Listener // nil when the channel could not be made (see Claim)
	// uid is the user allowed to hand over links, where the system says who
	// is at the other end (Linux); tests change it to play another user.
	uid  int
	once sync.Once
	done chan struct{} // closed when Serve has returned
}

// Claim claims the data folder dir for this launch, or returns ErrRunning
// when another launch holds it. The claim holds even when the channel
// cannot be made (a folder path too long for a Unix socket): then later
// launches are still refused, only without handing over their link;
// ListenErr says why.
func Claim(dir string) (*Instance, error) {
	release, err := lockFolder(dir)
	if err != nil {
		return nil, err
	}
	in := &Instance{release: release, uid: currentUID(), done: make(chan struct{})}
	if in.ln, err = listen(dir); err != nil {
		in.ln = nil
		return in, &ListenError{Err: err}
	}
	return in, nil
}

// ListenError is Claim's answer when the folder is claimed but links cannot
// be handed over to this launch: the Instance is good, without a channel.
type ListenError struct{ Err error }

func (e *ListenError) Error() string {
	return "instance: no channel for later launches: " + e.Err.Error()
}
func (e *ListenError) Unwrap() error { return e.Err }

// Serve hands each link another launch sends to open, one at a time, until
// Close. open runs on Serve's goroutine; "" means the other launch had no
// link (bring the window forward).
func (in *Instance) Serve(open func(link string)) {
	defer close(in.done)
	if in.ln == nil {
		return
	}
	for {
		c, err := in.ln.Accept()
		if err != nil {
			return // closed
		}
		in.receive(c, open)
	}
}

func (in *Instance) receive(c net.Conn, open func(string)) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(exchangeTime))
	if uid, ok := peerUID(c); ok && uid != in.uid {
		return // another user: the socket's mode should have kept them out
	}
	line, err := bufio.NewReader(io.LimitReader(c, maxMessage)).ReadString('\n')
	rest, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), greeting)
	if err != nil || !ok {
		return
	}
	link, err := strconv.Unquote(rest)
	if err != nil {
		return
	}
	open(link)
	io.WriteString(c, answer+"\n")
}

// Close stops listening, waits for Serve to return if it was started, and
// gives the data folder up.
func (in *Instance) Close() {
	in.once.Do(func() {
		if in.ln != nil {
			in.ln.Close()
		}
		in.release()
	})
}

// Stopped is closed once Serve has returned.
func (in *Instance) Stopped() <-chan struct{} { return in.done }

// Hand gives link to the launch that holds the data folder dir and waits
// until that launch has it. It tries again while that launch is starting
// (it holds the claim before it listens), until ctx ends.
func Hand(ctx context.Context, dir, link string) error {
	var last error
	for {
		err := handOnce(ctx, dir, link)
		if err == nil || errors.Is(err, ErrNotYours) {
			return err
		}
		last = err
		t := time.NewTimer(retryEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("instance: the open Referral Desk did not take the link: %w", last)
		case <-t.C:
		}
	}
}

func handOnce(ctx context.Context, dir, link string) error {
	c, err := dial(ctx, dir)
	if err != nil {
		return err
	}
	defer c.Close()
	if uid, ok := peerUID(c); ok && uid != currentUID() {
		return ErrNotYours
	}
	deadline := time.Now().Add(exchangeTime)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.SetDeadline(deadline)
	if _, err := io.WriteString(c, greeting+strconv.Quote(link)+"\n"); err != nil {
		return err
	}
	got, err := bufio.NewReader(io.LimitReader(c, 64)).ReadString('\n')
	if err != nil || got != answer+"\n" {
		return fmt.Errorf("instance: no answer (%q): %w", got, err)
	}
	return nil
}
