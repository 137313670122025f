//go:build !windows

package instance_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/app/instance"
)

// childEnv makes the test binary a first launch holding a data folder (see
// TestMain), for the tests that need another process: one that crashes.
const childEnv = "INSTANCE_TEST_HOLD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		in, err := instance.Claim(dir)
		if err != nil {
			fmt.Println("claim:", err)
			os.Exit(1)
		}
		go in.Serve(func(string) {})
		fmt.Println("ready")
		select {} // until killed
	}
	os.Exit(m.Run())
}

const link = "referraldesk://connect?iss=https%3A%2F%2Freferrals.example.org%2Ffhir"

// first claims dir and serves it, sending each link it is handed to the
// channel it returns; the claim ends with the test.
func first(t *testing.T, dir string) (*instance.Instance, chan string) {
	t.Helper()
	in, err := instance.Claim(dir)
	if err != nil {
		t.Fatalf("the first launch could not claim its folder: %v", err)
	}
	got := make(chan string, 4)
	go in.Serve(func(l string) { got <- l })
	t.Cleanup(func() {
		in.Close()
		<-in.Stopped() // Serve has returned: no goroutine left behind
	})
	return in, got
}

func hand(t *testing.T, dir, l string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return instance.Hand(ctx, dir, l)
}

func TestSecondLaunchHandsItsLinkToTheFirst(t *testing.T) {
	dir := t.TempDir()
	_, got := first(t, dir)
	if _, err := instance.Claim(dir); !errors.Is(err, instance.ErrRunning) {
		t.Fatalf("a second launch claimed the folder the first holds (%v): two windows would share one database", err)
	}
	// A link, no link (a double-click: bring the window forward), and bytes
	// the window's checks must see as they were sent.
	for _, l := range []string{link, "", "referraldesk://connect?iss=x\nname=\xff"} {
		if err := hand(t, dir, l); err != nil {
			t.Fatalf("handing %q over: %v", l, err)
		}
		if g := <-got; g != l {
			t.Fatalf("the first launch got %q, want %q", g, l)
		}
	}
}

// A launch that starts while the first is between claiming the folder and
// serving it waits for it rather than failing or opening a second window.
func TestHandWaitsForTheFirstLaunchToServe(t *testing.T) {
	dir := t.TempDir()
	in, err := instance.Claim(dir)
	if err != nil {
		t.Fatal(err)
	}
	handed := make(chan error, 1)
	go func() { handed <- hand(t, dir, link) }()
	got := make(chan string, 1)
	go in.Serve(func(l string) { got <- l })
	defer func() { in.Close(); <-in.Stopped() }()
	if err := <-handed; err != nil {
		t.Fatalf("handing over while the first launch started: %v", err)
	}
	if g := <-got; g != link {
		t.Fatalf("got %q", g)
	}
}

func TestCrashedRunsSocketIsTakenOver(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the first launch did not start: %q %v", line, err)
	}
	if _, err := instance.Claim(dir); !errors.Is(err, instance.ErrRunning) {
		t.Fatalf("the folder was claimed while another process holds it: %v", err)
	}
	cmd.Process.Signal(syscall.SIGKILL) // a crash: nothing is cleaned up
	cmd.Wait()
	if _, err := os.Lstat(filepath.Join(dir, instance.SocketName)); err != nil {
		t.Fatalf("the crashed run left no socket, so this test shows nothing: %v", err)
	}
	_, got := first(t, dir)
	if err := hand(t, dir, link); err != nil {
		t.Fatalf("after taking over the crashed run's socket: %v", err)
	}
	if g := <-got; g != link {
		t.Fatalf("got %q", g)
	}
}

func TestChannelIsThisUsersOnly(t *testing.T) {
	dir := t.TempDir()
	first(t, dir)
	for name, want := range map[string]fs.FileMode{instance.SocketName: fs.ModeSocket | 0o600, instance.LockName: 0o600} {
		fi, err := os.Lstat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & (fs.ModeType | fs.ModePerm); got != want {
			t.Errorf("%s has mode %v, want %v: other users must not open it", name, got, want)
		}
	}
}

// A socket someone else made in the folder is never handed a link: the
// launch refuses at once rather than trying until its time runs out.
func TestAnotherUsersSocketIsRefused(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("making a socket another user owns needs root (CI runs as root)")
	}
	dir := t.TempDir()
	first(t, dir)
	if err := os.Lchown(filepath.Join(dir, instance.SocketName), 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if err := hand(t, dir, link); !errors.Is(err, instance.ErrNotYours) {
		t.Fatalf("handing a link to another user's socket: %v, want ErrNotYours", err)
	}
}

// The listener hears only its own user: the kernel says who connected
// (SO_PEERCRED on Linux). Here the listener expects another user than the
// one connecting, as when someone else reaches a socket left open to them.
func TestAnotherUserIsNotHeard(t *testing.T) {
	dir := t.TempDir()
	in, err := instance.Claim(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { in.Close(); <-in.Stopped() }()
	if !instance.ExpectUser(in, os.Getuid()+1) {
		t.Skip("this system does not say who is at the other end of a socket")
	}
	got := make(chan string, 1)
	go in.Serve(func(l string) { got <- l })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := instance.Hand(ctx, dir, link); err == nil {
		t.Fatal("the listener took a link from a user it does not expect")
	}
	select {
	case g := <-got:
		t.Fatalf("the listener opened %q from another user", g)
	default:
	}
}

func TestHandGivesUpWhenNobodyListens(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := instance.Hand(ctx, t.TempDir(), link); err == nil {
		t.Fatal("a link was handed to nobody")
	}
}
