package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"golang.org/x/term"

	"github.com/referraldesk/referraldesk/app"
)

// The environment variables a script gives passphrases in. Putting one in
// a script or in shell history is the user's risk (README.md says so); the
// terminal prompt keeps it out of both.
const (
	envPassphrase    = "REFERRALDESK_PASSPHRASE"
	envNewPassphrase = "REFERRALDESK_NEW_PASSPHRASE"
)

// Secrets is where the command line gets the data's key or passphrase, in
// the order it tries them: the keyring, the environment, the terminal. Each
// is injected, so that tests need neither a terminal nor a keyring.
type Secrets struct {
	// Keyring is tried first when the data is locked; nil = none. The
	// command line reads it and never changes it (readOnlyKeyring).
	Keyring app.Keyring
	// Getenv reads REFERRALDESK_PASSPHRASE and REFERRALDESK_NEW_PASSPHRASE;
	// nil = no variables.
	Getenv func(name string) string
	// ReadPassword asks on the terminal without echo; nil = there is no
	// terminal to ask on.
	ReadPassword func(prompt string) (string, error)
}

// SystemSecrets are this process's: the system keyring, its environment,
// and its terminal when stdin is one.
func SystemSecrets() *Secrets {
	s := &Secrets{Keyring: app.SystemKeyring(), Getenv: os.Getenv}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		s.ReadPassword = readTerminal
	}
	return s
}

// readTerminal asks on stderr and reads a line from the terminal on stdin
// without echo. Ctrl+C gives the terminal its echo back: x/term restores it
// only when the read returns, and Run catches the interrupt, so without this
// the prompt would wait for Enter and the shell could be left mute.
func readTerminal(prompt string) (string, error) {
	fd := int(os.Stdin.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", err
	}
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt)
	defer signal.Stop(interrupted)
	fmt.Fprint(os.Stderr, prompt)
	defer fmt.Fprintln(os.Stderr) // the Enter typed was not echoed
	type line struct {
		text []byte
		err  error
	}
	read := make(chan line, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		read <- line{b, err}
	}()
	select {
	case l := <-read:
		return string(l.text), l.err
	case <-interrupted:
		term.Restore(fd, state)
		return "", context.Canceled // the read is left to end with the process
	}
}

// passphrase is a passphrase (or recovery key) given to the command line,
// and the variable it came from ("" when typed).
type passphrase struct{ text, from string }

// blame adds the variable a passphrase came from to the sentence of a
// wrong one (KindLocked) or of a new one the rule refused (KindInvalid):
// a REFERRALDESK_PASSPHRASE left over in the shell is otherwise a puzzle,
// since nothing was asked.
func (p passphrase) blame(err error) error {
	if k := app.KindOf(err); p.from == "" || (k != app.KindLocked && k != app.KindInvalid) {
		return err
	}
	return &saidError{say: app.Explain(err) + " It came from " + p.from + ".", err: err}
}

func (s *Secrets) getenv(name string) string {
	if s.Getenv == nil {
		return ""
	}
	return s.Getenv(name)
}

// current is the passphrase (or recovery key) of the data: from
// REFERRALDESK_PASSPHRASE, else typed after prompt. ok is false when there
// is neither; a wrong variable is not followed by a prompt, since a script
// that set it wants it used.
func (s *Secrets) current(prompt string) (p passphrase, ok bool, err error) {
	if v := s.getenv(envPassphrase); v != "" {
		return passphrase{text: v, from: envPassphrase}, true, nil
	}
	if s.ReadPassword == nil {
		return passphrase{}, false, nil
	}
	text, err := s.ReadPassword(prompt)
	return passphrase{text: text}, err == nil, err
}

// chosen is a new passphrase: from the variable name, else typed twice on
// the terminal after the rule is shown on w. ok is false when there is
// neither. The rule is keys.CheckPassphrase's, which SetUp and
// ChangePassphrase apply and explain when it is not met.
func (s *Secrets) chosen(name string, w io.Writer) (p passphrase, ok bool, err error) {
	if v := s.getenv(name); v != "" {
		return passphrase{text: v, from: name}, true, nil
	}
	if s.ReadPassword == nil {
		return passphrase{}, false, nil
	}
	fmt.Fprintln(w, "Choose a passphrase: at least 12 characters, or four words or more.")
	text, err := s.ReadPassword("New passphrase: ")
	if err != nil {
		return passphrase{}, false, err
	}
	again, err := s.ReadPassword("The same passphrase again: ")
	if err != nil {
		return passphrase{}, false, err
	}
	if again != text {
		return passphrase{}, false, &saidError{say: "The two passphrases you typed differ. Nothing was changed.",
			err: &app.Error{Op: "choose a passphrase", Kind: app.KindInvalid}}
	}
	return passphrase{text: text}, true, nil
}

// readOnlyKeyring lets the command line unlock with a remembered key
// without changing what is remembered: whether this computer remembers the
// key is the case worker's choice in the window, and a script unlocking with
// REFERRALDESK_PASSPHRASE (Unlock with remember false forgets the key) must
// not undo it.
type readOnlyKeyring struct{ app.Keyring }

func (readOnlyKeyring) Set(string, []byte) error { return nil }
func (readOnlyKeyring) Delete(string) error      { return nil }

// readOnly wraps k; nil stays nil, so the app knows there is no keyring.
func readOnly(k app.Keyring) app.Keyring {
	if k == nil {
		return nil
	}
	return readOnlyKeyring{k}
}

// saidError is a failure the command line words itself: its remedies (a
// variable, a terminal, a flag) exist only here, not in the window the
// app's sentences are written for. err keeps the kind (and so the exit
// status) and the cause for the log.
type saidError struct {
	say string
	err error
}

func (e *saidError) Error() string { return e.err.Error() }
func (e *saidError) Unwrap() error { return e.err }

// locked is the data staying locked because no passphrase could be had;
// say tells how to give one.
func locked(op, say string) error {
	return &saidError{say: say, err: &app.Error{Op: op, Kind: app.KindLocked}}
}
