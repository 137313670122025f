// Package cli is Referral Desk's command line: the same app as the window,
// for scripting and support. Every command prints what happened in plain
// words and exits non-zero with a one-line reason on failure.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"github.com/referraldesk/referraldesk/app"
)

// Env is what the command line needs from its surroundings.
type Env struct {
	Stdout, Stderr io.Writer
	// DataDir is where the database lives when --data-dir is not given.
	DataDir string
	// OpenBrowser opens the sign-in page; nil = the system browser.
	OpenBrowser func(url string) error
	// HTTP is the client platforms are contacted with; nil = the app's own.
	HTTP *http.Client
	// Secrets is where a passphrase comes from; nil = SystemSecrets(): this
	// process's keyring, environment and terminal.
	Secrets *Secrets
}

// command is one subcommand.
type command struct {
	usage  string
	folder folderUse
	run    func(ctx context.Context, c *cmdline, args []string) error
}

// folderUse is what a command needs of the data folder.
type folderUse int

const (
	// opensFolder: the folder opened and unlocked; one with no passphrase
	// yet is protected first, since nothing may be read from it before.
	opensFolder folderUse = iota
	// noFolder: no data folder at all (a demo platform, reading QR codes).
	noFolder
	// closedFolder: the folder's files, with the folder closed (restore
	// replaces the database, which an open store would hold on to).
	closedFolder
)

// The exit statuses, part of the command line's contract (README.md): a
// script tells "give me the passphrase" from any other failure.
const (
	exitFailed = 1 // anything that failed
	exitLocked = 3 // the data stayed locked: a wrong passphrase, or none to be had
)

// commands is filled in init: the commands' own help refers back to it.
var commands map[string]command

func init() {
	commands = map[string]command{
		"connect":       {"connect URL|--qr-image FILE [--client-id ID] [--redirect-port N] [--owner REF] [--name NAME]", opensFolder, runConnect},
		"decode-qr":     {"decode-qr FILE...  (prints per file: FILE, ok|none, \"TEXT\", milliseconds; tab-separated)", noFolder, runDecodeQR},
		"sources":       {"sources", opensFolder, runSources},
		"sync":          {"sync [--source ID]", opensFolder, runSync},
		"inbox":         {"inbox [--status S] [--source ID] [--wide] [--json]  (fits 120 columns, words cut short with …; --wide: every cell whole)", opensFolder, runInbox},
		"show":          {"show TASK", opensFolder, runShow},
		"set-status":    {"set-status TASK STATUS [--reason TEXT]  (completed: [--service SYSTEM|CODE or CODE]... [--performed YYYY-MM-DD] [--enrolled yes|no|waitlist]; rejected: [--at-capacity])", opensFolder, runSetStatus},
		"capacity":      {"capacity [--source ID] [open|full|waitlist|assessment [--note TEXT] [--decline-new --yes]]  (no state: each platform's capacity)", opensFolder, runCapacity},
		"queue":         {"queue  (per platform: the changes waiting to be sent, and those not sent after a conflict)", opensFolder, runQueue},
		"remove":        {"remove ID|NAME [--yes]  (signs out of the platform and deletes everything of it here; says what is lost, and does it with --yes)", opensFolder, runRemove},
		"demo-platform": {"demo-platform [--addr 127.0.0.1:0] [--referrals N] [--faults SPEC|help]  (faults to try by hand: latency=200ms,5xx=2%,429=1%,...)", noFolder, runDemoPlatform},
		"passphrase":    {"passphrase [--new-recovery-key]  (the new one from REFERRALDESK_NEW_PASSPHRASE, or typed twice)", opensFolder, runPassphrase},
		"backup":        {"backup FILE [--force]  (encrypted: opens with this data's passphrase or recovery key)", opensFolder, runBackup},
		"restore":       {"restore FILE  (replaces the data; the data it replaces is kept beside it)", closedFolder, runRestore},
	}
}

// IsCommand reports whether name is a command-line command (else main opens the window).
func IsCommand(name string) bool {
	_, ok := commands[name]
	return ok || name == "help" || name == "-h" || name == "--help"
}

// Usage is the command-line help.
func Usage() string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("usage: referraldesk [--data-dir DIR] COMMAND\n\ncommands:\n")
	for _, n := range names {
		b.WriteString("  " + commands[n].usage + "\n")
	}
	b.WriteString("\nWith no command, Referral Desk opens its window.\n")
	b.WriteString("A locked data folder opens with the system keyring, else " + envPassphrase + ", else a passphrase typed in the terminal.\n")
	b.WriteString("Exit status: 0 done, 1 failed, 3 locked (wrong passphrase, or none given).\n")
	return b.String()
}

// cmdline is one run of a command: where it writes and the app it drives.
type cmdline struct {
	env     Env
	dataDir string
	app     *app.App
	// secret is the passphrase (or recovery key) that unlocked or protected
	// the data in this run; empty when the keyring's key unlocked it.
	secret passphrase
	// protectedNow: this run gave the data its passphrase and recovery key.
	protectedNow bool
}

// Run runs one command line (without the program name) and returns the exit status.
func Run(args []string, env Env) int {
	if env.Stdout == nil {
		env.Stdout = os.Stdout
	}
	if env.Stderr == nil {
		env.Stderr = os.Stderr
	}
	if env.Secrets == nil {
		env.Secrets = SystemSecrets()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c := &cmdline{env: env, dataDir: env.DataDir}
	if err := run(ctx, c, args); err != nil {
		fmt.Fprintln(env.Stderr, "referraldesk: "+oneLine(c.explain(err)))
		if app.KindOf(err) == app.KindLocked {
			return exitLocked
		}
		return exitFailed
	}
	return 0
}

// explain is the sentence for err: the command line's own when it has one
// (saidError), else the app's. The app's Explain runs either way, so that
// the cause goes to the data folder's log.
func (c *cmdline) explain(err error) string {
	explain := app.Explain
	if c.app != nil {
		explain = c.app.Explain
	}
	say := explain(err)
	if s, ok := errors.AsType[*saidError](err); ok {
		return s.say
	}
	return say
}

func run(ctx context.Context, c *cmdline, args []string) error {
	env := c.env
	global := flag.NewFlagSet("referraldesk", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	dataDir := global.String("data-dir", env.DataDir, "")
	if err := global.Parse(args); errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(env.Stdout, Usage())
		return nil
	} else if err != nil {
		return usageError(err.Error())
	}
	rest := global.Args()
	if len(rest) == 0 || rest[0] == "help" || rest[0] == "-h" || rest[0] == "--help" {
		fmt.Fprint(env.Stdout, Usage())
		return nil
	}
	cmd, ok := commands[rest[0]]
	if !ok {
		return usageError(fmt.Sprintf("unknown command %q", rest[0]))
	}
	c.dataDir = *dataDir
	if asksHelp(rest[1:]) { // before any passphrase is asked for
		return usageError("usage: referraldesk " + cmd.usage)
	}
	switch cmd.folder {
	case opensFolder:
		err := c.open(ctx)
		if c.app != nil {
			defer c.app.Close(5 * time.Second)
		}
		if err != nil {
			return err
		}
	case closedFolder:
		if c.dataDir == "" {
			return errNoDataDir
		}
	}
	return cmd.run(ctx, c, rest[1:])
}

var errNoDataDir = usageError("no data folder: give --data-dir")

// asksHelp reports whether a command's arguments ask for its usage.
func asksHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			return true
		}
	}
	return false
}

func (c *cmdline) printf(format string, args ...any) { fmt.Fprintf(c.env.Stdout, format, args...) }

// parse parses flags that may come before, between or after positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, usageError("usage: referraldesk " + commands[fs.Name()].usage)
		} else if err != nil {
			return nil, usageError(err.Error())
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// usageError is a command line that was not understood; s says how (a usage line, the flag package's words).
func usageError(s string) error {
	return &app.Error{Op: "read the command line", Kind: app.KindInvalid, Reason: app.ReasonUsage, Value: s}
}

// OneLine keeps a message on one line, for "referraldesk: …" error output.
func OneLine(s string) string { return oneLine(s) }

// oneLine keeps an error message on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// needArgs checks the count of positional arguments.
func needArgs(pos []string, n int, usage string) error {
	if len(pos) != n {
		return usageError("usage: referraldesk " + usage)
	}
	return nil
}
