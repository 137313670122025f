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
}

// command is one subcommand.
type command struct {
	usage string
	run   func(ctx context.Context, c *cmdline, args []string) error
}

// commands is filled in init: the commands' own help refers back to it.
var commands map[string]command

func init() {
	commands = map[string]command{
		"connect":       {"connect URL|--qr-image FILE [--client-id ID] [--redirect-port N] [--owner REF] [--name NAME]", runConnect},
		"decode-qr":     {"decode-qr FILE...  (prints per file: FILE, ok|none, \"TEXT\", milliseconds; tab-separated)", runDecodeQR},
		"sources":       {"sources", runSources},
		"sync":          {"sync [--source ID]", runSync},
		"inbox":         {"inbox [--status S] [--source ID] [--json]", runInbox},
		"show":          {"show TASK", runShow},
		"set-status":    {"set-status TASK STATUS [--reason TEXT]", runSetStatus},
		"demo-platform": {"demo-platform [--addr 127.0.0.1:0] [--referrals N]", runDemoPlatform},
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
	return b.String()
}

// cmdline is one run of a command: where it writes and the app it drives.
type cmdline struct {
	env     Env
	dataDir string
	app     *app.App
}

// Run runs one command line (without the program name) and returns the exit status.
func Run(args []string, env Env) int {
	if env.Stdout == nil {
		env.Stdout = os.Stdout
	}
	if env.Stderr == nil {
		env.Stderr = os.Stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c := &cmdline{env: env, dataDir: env.DataDir}
	if err := run(ctx, c, args); err != nil {
		explain := app.Explain
		if c.app != nil {
			explain = c.app.Explain // the cause goes to the data folder's log
		}
		fmt.Fprintln(env.Stderr, "referraldesk: "+oneLine(explain(err)))
		return 1
	}
	return 0
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
	if rest[0] != "demo-platform" && rest[0] != "decode-qr" { // these need no data folder
		if err := c.open(); err != nil {
			return err
		}
		defer c.app.Close(5 * time.Second)
	}
	return cmd.run(ctx, c, rest[1:])
}

// open opens the database and the app over it.
func (c *cmdline) open() error {
	if c.dataDir == "" {
		return usageError("no data folder: give --data-dir")
	}
	a, err := app.Open(c.dataDir, app.Options{HTTP: c.env.HTTP, OpenBrowser: c.env.OpenBrowser})
	if err != nil {
		return err
	}
	c.app = a
	return nil
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
