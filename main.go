// Referral Desk: one inbox on the case worker's own computer for the SDOH
// referrals that health systems and referral platforms send a community
// organization. With a command it runs the command line; without, the window;
// "referraldesk demo" opens the window with the built-in demo platform.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/assets"
	"github.com/referraldesk/referraldesk/auth"
	"github.com/referraldesk/referraldesk/ui"
	"github.com/referraldesk/referraldesk/ui/cli"
)

func main() {
	args := os.Args[1:]
	fs := flag.NewFlagSet("referraldesk", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dataDir := fs.String("data-dir", "", "")
	version := fs.Bool("version", false, "")
	// --screenshots DIR (not in the help): drive the demo window through its
	// screens and write PNGs there, for `make screenshots`, whose binary is
	// built with -tags screenshots.
	shots := fs.String("screenshots", "", "")
	err := fs.Parse(args)
	// A referraldesk:// link (the system opens Referral Desk with it) goes
	// to the window.
	link := ""
	if err == nil && fs.NArg() == 1 && app.IsSchemeLink(fs.Arg(0)) {
		link = fs.Arg(0)
	}
	// A command, a flag error, or a word that is neither a command nor
	// "demo" (a typo) goes to the command line, which says what is wrong.
	if err != nil || (fs.NArg() > 0 && fs.Arg(0) != "demo" && link == "") {
		os.Exit(cli.Run(args, cli.Env{DataDir: defaultDataDir(), OpenBrowser: announceBrowser}))
	}
	if *version {
		fmt.Println(app.Build())
		return
	}
	demo := fs.Arg(0) == "demo" || *shots != ""
	if *shots != "" && newScreenshooter == nil {
		fmt.Fprintln(os.Stderr, "referraldesk: this build cannot take screenshots: run make screenshots")
		os.Exit(2)
	}
	if why := noDisplay(runtime.GOOS, os.Getenv); why != "" {
		fmt.Fprintln(os.Stderr, "referraldesk: "+why+": "+useCommandLine)
		os.Exit(1)
	}
	if err := runWindow(*dataDir, demo, *shots, link); err != nil {
		fmt.Fprintln(os.Stderr, "referraldesk: "+cli.OneLine(app.Explain(err)))
		os.Exit(1)
	}
}

// appID names Referral Desk to Fyne, which keeps its preferences (window
// size, inbox view) under it. The demo and the screenshots have their own,
// so they never change what the real window remembers.
const appID = "org.referraldesk.app"

// demoPassphrase protects the demo's own data folder, as every data folder
// is protected; the demo says it on screen, since nothing in it is real.
const demoPassphrase = "demo passphrase for referral desk"

// runWindow opens the store and the window. In demo mode the built-in
// platform runs in this process and the data lives in a separate folder,
// emptied at each start so the demo always begins at the welcome, and
// protected with demoPassphrase instead of asking for one. The window
// opens link (a referraldesk:// link) at the connect confirmation; when
// another window has the data folder, link goes to that one instead.
func runWindow(dataDir string, demo bool, shots, link string) error {
	// The demo's own folder (or the screenshots'), not one named on the command line.
	demoFolder := shots != "" || (dataDir == "" && demo)
	switch {
	case shots != "":
		tmp, err := os.MkdirTemp("", "referraldesk-screenshots-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dataDir = tmp
	case dataDir == "" && demo:
		dataDir = filepath.Join(configDir(), "referraldesk-demo")
	case dataDir == "":
		dataDir = defaultDataDir()
	}
	in := claimFolder(dataDir, link) // or hands link to the window that has the folder, and exits
	if in != nil {
		defer in.Close()
	}
	if demoFolder { // once claimed: never the folder of a demo window already open
		for _, f := range []string{"referraldesk.db", "referraldesk.db-wal", "referraldesk.db-shm"} {
			os.Remove(filepath.Join(dataDir, f))
		}
	}
	var opts app.Options
	if !demo {
		// The case worker may ask to be remembered on this computer; the
		// demo and the screenshots never touch the system's keyring.
		opts.Keyring = app.SystemKeyring()
	}
	id := appID
	var platform *app.DemoPlatform
	var shooter screenshooter
	if demo {
		var err error
		if platform, err = app.StartDemoPlatform("127.0.0.1:0", 25); err != nil {
			return err
		}
		defer platform.Close()
		id = appID + ".demo"
		if shots != "" {
			shooter = newScreenshooter(platform)
			opts.OpenBrowser = shooter.OpenBrowser
			id = appID + ".screenshots"
		}
	}
	prefs := fynePreferencesPath(runtime.GOOS, homeDir(), configDir(), id)
	if shots != "" && prefs != "" {
		os.Remove(prefs) // every run of the screenshots starts from the default view and sort
	}
	repairPreferences(prefs) // when it cannot, Fyne says why itself
	fa := fyneapp.NewWithID(id)
	fa.SetIcon(assets.Icon)
	core, err := app.Open(dataDir, opts)
	if err != nil {
		return err
	}
	// Let what was being saved be saved: a sign-in's tokens, a sync page, and a
	// token refresh that outlived its caller (its rotated refresh token).
	defer core.Close(5 * time.Second)
	wo := ui.Options{App: core, Demo: platform}
	if demoFolder {
		ctx := context.Background()
		if core.Protection(ctx) == app.Unprotected { // emptied above, as it should be
			if _, err := core.SetUp(ctx, demoPassphrase, false); err != nil {
				return err
			}
		}
		wo.DemoPassphrase = demoPassphrase
	}
	w := ui.New(fa, wo)
	openLinks(w, in, link)
	if shooter != nil {
		go func() {
			if err := shooter.Run(w, shots); err != nil {
				fmt.Fprintln(os.Stderr, "referraldesk: screenshots:", err)
			}
			fyne.Do(fa.Quit)
		}()
	}
	if err := showAndRun(fa, w.Window()); err != nil {
		return err
	}
	w.Wait(5 * time.Second)
	return nil
}

// screenshooter drives the demo window through its screens and writes a PNG
// of each into a folder; OpenBrowser signs in when the driver lets it.
type screenshooter interface {
	OpenBrowser(url string) error
	Run(w *ui.Window, dir string) error
}

// newScreenshooter is set by shots.go, which only a build with -tags
// screenshots (make screenshots) compiles.
var newScreenshooter func(*app.DemoPlatform) screenshooter

// showAndRun runs the window until it closes. A display that is set but
// cannot be used (an X server that is gone) makes Fyne's driver panic
// before the window opens: that panic becomes one line saying so. A panic
// once the window runs is a bug and keeps its stack trace.
func showAndRun(fa fyne.App, win fyne.Window) (err error) {
	var started atomic.Bool
	fa.Lifecycle().SetOnStarted(func() { started.Store(true) })
	defer func() {
		if p := recover(); p != nil {
			if started.Load() {
				panic(p)
			}
			err = &app.Error{Op: "open the window", Kind: app.KindLocal, Reason: app.ReasonNoDisplay, Value: useCommandLine,
				Err: fmt.Errorf("the display driver panicked: %v", p)}
		}
	}()
	win.ShowAndRun()
	return nil
}

// announceBrowser opens the sign-in page and says where it is, for machines
// where no browser opens by itself.
func announceBrowser(url string) error {
	fmt.Fprintf(os.Stderr, "Opening the sign-in page in your browser. If it does not open, visit:\n  %s\n", url)
	if err := auth.OpenBrowser(url); err != nil {
		fmt.Fprintf(os.Stderr, "(the browser could not be opened: %v)\n", err)
	}
	return nil
}

// defaultDataDir is the per-user folder for Referral Desk's database.
func defaultDataDir() string {
	if dir := configDir(); dir != "" {
		return filepath.Join(dir, "referraldesk")
	}
	return ""
}

func configDir() string {
	dir, _ := os.UserConfigDir()
	return dir
}

func homeDir() string {
	dir, _ := os.UserHomeDir()
	return dir
}
