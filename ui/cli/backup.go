package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/referraldesk/referraldesk/app"
)

// runBackup writes an encrypted backup of the data to a new file.
func runBackup(ctx context.Context, c *cmdline, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	force := fs.Bool("force", false, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := needArgs(pos, 1, commands["backup"].usage); err != nil {
		return err
	}
	file := pos[0]
	if _, err := os.Lstat(file); err == nil && !*force {
		return &saidError{say: file + " exists already: give --force to replace it, or choose another name.",
			err: &app.Error{Op: "write a backup", Kind: app.KindInvalid, Path: file}}
	}
	var backupErr error
	err = writeWhole(file, func(w io.Writer) error {
		backupErr = c.app.Backup(ctx, w)
		return backupErr
	})
	if backupErr != nil {
		return backupErr
	}
	if err != nil {
		return &saidError{say: "The backup could not be written to " + file + ". Check that the folder exists, " +
			"that you may write in it, and the free disk space.",
			err: &app.Error{Op: "write a backup", Kind: app.KindLocal, Path: file, Err: err}}
	}
	fmt.Fprintf(c.env.Stderr, "Backup written to %s. It opens with this data's passphrase or recovery key, on any computer.\n", file)
	return nil
}

// writeWhole writes file through a temporary file beside it, renamed to
// file only once complete: a failure (a full disk, Ctrl+C) leaves no part
// of a backup that would look like a whole one. os.CreateTemp makes the
// temporary file 0600 (it holds the data, encrypted or not, of nobody else's
// business), with a name of its own: a fixed FILE.tmp could be a file or a
// link someone left there.
func writeWhole(file string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".*.tmp")
	if err != nil {
		return err
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), file)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// runRestore replaces the data with a backup's. The folder stays closed:
// app.Restore swaps the database file, which an open store holds on to.
func runRestore(ctx context.Context, c *cmdline, args []string) error {
	if err := needArgs(args, 1, commands["restore"].usage); err != nil {
		return err
	}
	file := args[0]
	p, ok, err := c.env.Secrets.current("Passphrase (or recovery key) of the backup: ")
	if err != nil {
		return err
	}
	if !ok {
		return locked("restore a backup", "Restoring needs the backup's passphrase or recovery key: set "+
			envPassphrase+" or run referraldesk in a terminal.")
	}
	if err := os.MkdirAll(c.dataDir, 0o700); err != nil {
		return &saidError{say: "Referral Desk could not make its data folder " + c.dataDir + ".",
			err: &app.Error{Op: "restore a backup", Kind: app.KindLocal, Path: c.dataDir, Err: err}}
	}
	db := filepath.Join(c.dataDir, app.DatabaseName)
	_, statErr := os.Stat(db)
	replaces := statErr == nil
	if err := app.Restore(ctx, c.dataDir, file, p.text); err != nil {
		return p.blame(err)
	}
	fmt.Fprintf(c.env.Stderr, "Restored the backup %s into %s; it opens with the backup's passphrase or recovery key.\n", file, c.dataDir)
	if replaces {
		fmt.Fprintf(c.env.Stderr, "The data it replaced is kept in %s.\n", db+".before-restore")
	}
	return nil
}
