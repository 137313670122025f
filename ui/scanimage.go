package ui

import (
	"bytes"
	"context"
	"errors"
	"image"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	fstorage "fyne.io/fyne/v2/storage"
	"golang.design/x/clipboard"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/ui/scan"
)

// Clipboard reads what the case worker copied, for Paste image. Fyne's own
// clipboard holds text only (desktop.md).
type Clipboard interface {
	// Image is the copied image; nil when the clipboard holds none.
	Image() (image.Image, error)
	// Text is the copied text; "" when there is none.
	Text() (string, error)
}

// systemClipboard is the computer's clipboard through golang.design/x/clipboard
// (X11 on Linux, the system's own elsewhere), set up on first use.
type systemClipboard struct {
	once sync.Once
	err  error
}

func (c *systemClipboard) init() error {
	c.once.Do(func() {
		if err := clipboard.Init(); err != nil {
			c.err = &clipboardError{err}
		}
	})
	return c.err
}

func (c *systemClipboard) Image() (image.Image, error) {
	if err := c.init(); err != nil {
		return nil, err
	}
	b := clipboard.Read(clipboard.FmtImage)
	if len(b) == 0 {
		return nil, nil
	}
	return scan.ReadImage(bytes.NewReader(b))
}

func (c *systemClipboard) Text() (string, error) {
	if err := c.init(); err != nil {
		return "", err
	}
	return string(clipboard.Read(clipboard.FmtText)), nil
}

// clipboardError is a clipboard that could not be reached: without an X11
// display (a Wayland-only session, a remote shell) there is none to read.
type clipboardError struct{ err error }

func (e *clipboardError) Error() string { return "clipboard unavailable: " + e.err.Error() }
func (e *clipboardError) Unwrap() error { return e.err }

// openImage asks for a picture of a QR code (a photo or a screenshot) and reads it.
func (w *Window) openImage() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		w.openImageFile(path)
	}, w.win)
	d.SetFilter(fstorage.NewExtensionFileFilter([]string{".png", ".jpg", ".jpeg", ".gif", ".PNG", ".JPG", ".JPEG", ".GIF"}))
	d.Resize(fyne.NewSize(820, 560))
	d.Show()
}

// openImageFile reads the QR code in an image file, off the UI goroutine.
func (w *Window) openImageFile(path string) {
	w.background(func(context.Context) func() {
		img, err := scan.ReadImageFile(path)
		if err != nil {
			return func() { w.scanProblem(scan.ForApp(err)) }
		}
		return w.decoded(img, "the picture you opened")
	})
}

// pasteImage reads the QR code in a copied image; copied text is taken as
// a link, as if it had been pasted into the link field.
func (w *Window) pasteImage() {
	clip := w.o.Clipboard
	w.background(func(context.Context) func() {
		img, err := clip.Image()
		if err != nil {
			var ce *clipboardError
			if errors.As(err, &ce) {
				return func() {
					w.scanProblem(&app.Error{Op: "paste a picture", Kind: app.KindLocal, Reason: app.ReasonNoClipboard, Err: err})
				}
			}
			return func() { w.scanProblem(scan.ForApp(err)) }
		}
		if img != nil {
			return w.decoded(img, "the picture you pasted")
		}
		text, err := clip.Text()
		if err == nil && strings.TrimSpace(text) != "" {
			return func() { w.useScanned(text, "the link you copied") }
		}
		return func() {
			w.scanProblem(&app.Error{Op: "paste a picture", Kind: app.KindNotFound, Reason: app.ReasonClipboardEmpty})
		}
	})
}

// decoded reads the QR code in one picture (background work) and returns
// the UI update: the confirmation, or why nothing was read.
func (w *Window) decoded(img image.Image, via string) func() {
	r, hint, err := scan.DecodeImage(img)
	if err != nil {
		why := &app.Error{Op: "read a QR code", Kind: app.KindNotFound, Reason: app.ReasonNoCodeInPicture, Value: hint.Say(), Err: err}
		if why.Value == "" {
			why.Reason = app.ReasonNoCodeTrySharper
		}
		return func() { w.scanProblem(why) }
	}
	return func() { w.useScanned(r.Text, via) }
}

// scanProblem shows, on the connect screen, why nothing was read.
func (w *Window) scanProblem(err error) {
	w.showConnect("")
	w.connect.say(w.a.Explain(err))
}
