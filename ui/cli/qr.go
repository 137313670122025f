package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/ui/scan"
)

// runDecodeQR prints one line per file: the file, "ok" or "none", the text
// quoted as a Go string (so control and look-alike characters are visible and
// nothing in a code can mess up a terminal), and the milliseconds taken,
// tab-separated. It exits non-zero when any file had no readable code.
func runDecodeQR(_ context.Context, c *cmdline, args []string) error {
	if len(args) == 0 {
		return usageError("usage: referraldesk " + commands["decode-qr"].usage)
	}
	missed := 0
	for _, path := range args {
		start := time.Now()
		res, err := scan.DecodeFile(path)
		ms := float64(time.Since(start).Microseconds()) / 1000
		status := "ok"
		if err != nil {
			status, missed = "none", missed+1
			if !errors.Is(err, scan.ErrNoCode) {
				fmt.Fprintf(c.env.Stderr, "%s: %v\n", path, err)
			}
		}
		c.printf("%s\t%s\t%s\t%.1f\n", path, status, strconv.Quote(res.Text), ms)
	}
	if missed > 0 {
		return &app.Error{Op: "decode QR codes", Kind: app.KindNotFound, Reason: app.ReasonFilesWithout, N: missed, Of: len(args)}
	}
	return nil
}

// optionsFromQR reads a connection link from a QR code in an image and says
// on stderr where it leads, in Unicode and punycode, before connect goes on.
func (c *cmdline) optionsFromQR(path string) (app.ConnectOptions, error) {
	res, err := scan.DecodeFile(path)
	if errors.Is(err, scan.ErrNoCode) {
		return app.ConnectOptions{}, &app.Error{Op: "read a QR code", Kind: app.KindNotFound, Reason: app.ReasonNoCodeInFile, Path: path, Err: err}
	}
	if err != nil {
		return app.ConnectOptions{}, scan.ForApp(err)
	}
	return c.optionsFromText(res.Text, "QR code")
}
