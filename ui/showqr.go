package ui

import (
	"context"
	"image"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/ui/scan"
)

// qrImage is a QR code on screen: drawn pixel for pixel (never smoothed,
// which blurs the modules) on the white a scanner needs around it.
func qrImage(img image.Image, size float32) *canvas.Image {
	ci := &canvas.Image{Image: img, FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScalePixels}
	ci.SetMinSize(fyne.NewSize(size, size))
	return ci
}

// qrCode shows link as a QR code of size×size, drawn off the UI goroutine.
func (w *Window) qrCode(link string, size float32) fyne.CanvasObject {
	ci := qrImage(nil, size)
	w.background(func(context.Context) func() {
		img, err := scan.QRImage(link, int(2*size)) // sharp at 200 % scale
		if err != nil {
			return nil
		}
		return func() { ci.Image = img; ci.Refresh() }
	})
	return container.NewVBox(ci)
}

// showQR shows a connected platform's connection link as a QR code, so a
// colleague can connect the same way, and offers it as a PNG file. The
// link holds the platform's address and public settings, never a secret.
func (w *Window) showQR(src app.Source) {
	w.background(func(context.Context) func() {
		link, err := app.ConnectionLink(src)
		var img image.Image
		if err == nil {
			if img, err = scan.QRImage(link, 480); err != nil {
				err = &app.Error{Op: "show a QR code", Kind: app.KindInvalid, Reason: app.ReasonQRTooLong, Err: err}
			}
		}
		return func() {
			if err != nil {
				err = &app.Error{Op: "show a QR code", Reason: app.ReasonQRNotMade, Err: err}
				dialog.ShowInformation("Show QR", w.a.Explain(err), w.win)
				return
			}
			w.qrDialog(src, link, img)
		}
	})
}

func (w *Window) qrDialog(src app.Source, link string, img image.Image) {
	save := widget.NewButtonWithIcon("Save as PNG…", theme.DocumentSaveIcon(), func() { w.saveQR(src, link) })
	copyLink := widget.NewButtonWithIcon("Copy link", theme.ContentCopyIcon(), func() { w.fa.Clipboard().SetContent(link) })
	// Side by side, so the dialog fits a 768-pixel screen at 150 % scale.
	content := container.NewBorder(nil, nil, container.NewVBox(qrImage(img, 240)), nil, container.NewVBox(
		wrapLabel("Scan this with Referral Desk on another computer to connect to "+src.Name+" the same way. It holds the platform's address and settings, never a password or sign-in."),
		&widget.Label{Text: linkLines(link), TextStyle: fyne.TextStyle{Monospace: true}, Wrapping: fyne.TextWrapBreak},
		container.NewHBox(save, copyLink),
		w.schemeLinkRow(link, false),
	))
	d := dialog.NewCustom(src.Name+": connection QR code", "Close", content, w.win)
	d.Resize(fyne.NewSize(780, 0))
	d.Show()
}

// linkLines shows a link one parameter to a line, so a person can read
// what it says (Copy link copies it as it is).
func linkLines(link string) string {
	return strings.NewReplacer("?", "\n?", "&", "\n&").Replace(link)
}

// saveQR writes the QR code as a PNG file the case worker chooses.
func (w *Window) saveQR(src app.Source, link string) {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		w.background(func(context.Context) func() {
			b, err := scan.QRPNG(link, 1024)
			if err == nil {
				_, err = wc.Write(b)
			}
			if cerr := wc.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return func() {
					dialog.ShowInformation("Save as PNG", w.a.Explain(&app.Error{Op: "save a QR code", Kind: app.KindLocal, Reason: app.ReasonQRNotSaved, Err: err}), w.win)
				}
			}
			return nil
		})
	}, w.win)
	d.SetFileName(fileSlug(src.Name) + "-qr.png")
	d.SetFilter(fstorage.NewExtensionFileFilter([]string{".png"}))
	d.Resize(fyne.NewSize(820, 560))
	d.Show()
}

// fileSlug makes a platform's name into a file name: letters and digits,
// words joined by hyphens.
func fileSlug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "platform"
	}
	return b.String()
}
