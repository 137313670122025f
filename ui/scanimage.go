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

func (e *clipboardError) Error() string {
	return "Referral Desk cannot read the clipboard on this computer. Save the picture of the QR code to a file and use Open image… instead."
}
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
			return func() { w.scanProblem(unreadable(err)) }
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
				return func() { w.scanProblem(ce.Error()) }
			}
			return func() { w.scanProblem(unreadable(err)) }
		}
		if img != nil {
			return w.decoded(img, "the picture you pasted")
		}
		text, err := clip.Text()
		if err == nil && strings.TrimSpace(text) != "" {
			return func() { w.useScanned(text, "the link you copied") }
		}
		return func() {
			w.scanProblem("The clipboard holds no picture and no link. Copy the QR code's picture (or the link) and press Paste image again.")
		}
	})
}

// decoded reads the QR code in one picture (background work) and returns
// the UI update: the confirmation, or why nothing was read.
func (w *Window) decoded(img image.Image, via string) func() {
	r, hint, err := scan.DecodeImage(img)
	if err != nil {
		say := "No QR code was found in this picture."
		if h := hint.Say(); h != "" {
			say += " " + h
		} else {
			say += " Try a sharper picture, with the whole code in it."
		}
		return func() { w.scanProblem(say) }
	}
	return func() { w.useScanned(r.Text, via) }
}

// scanProblem shows, on the connect screen, why nothing was read.
func (w *Window) scanProblem(say string) {
	w.showConnect("")
	w.connect.say(say)
}

// unreadable says why a picture could not be read. scan.ReadImage's
// errors are lower-case phrases ("this is not a PNG, JPEG or GIF image")
// with the decoder's detail after a colon, which is for logs; ReadImageFile
// puts the path in front.
func unreadable(err error) string {
	msg := err.Error()
	if u := errors.Unwrap(err); u != nil && strings.HasPrefix(u.Error(), "this ") {
		msg = u.Error()
	}
	if !strings.HasPrefix(msg, "this ") {
		return "This picture could not be opened. Choose a PNG, JPEG or GIF picture of the QR code."
	}
	if i := strings.Index(msg, ": "); i > 0 {
		msg = msg[:i]
	}
	return "This picture could not be read: " + msg + ". Choose a PNG, JPEG or GIF picture of the QR code."
}
