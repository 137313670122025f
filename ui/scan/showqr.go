package scan

import (
	"fmt"
	"image"

	qrcode "github.com/skip2/go-qrcode"
)

// Error correction for codes Referral Desk shows: Medium (15 %) survives a
// glossy screen's glare and a phone held at an angle while keeping a
// connection link around version 6–10, which a webcam reads from ~30 cm.
const showLevel = qrcode.Medium

// QRImage draws text as a QR code of about size×size pixels (with the
// standard quiet zone), for the window to show.
func QRImage(text string, size int) (image.Image, error) {
	q, err := qrcode.New(text, showLevel)
	if err != nil {
		return nil, fmt.Errorf("this link cannot be made into a QR code: %w", err)
	}
	return q.Image(size), nil
}

// QRPNG is QRImage as a PNG file's bytes, to save or print.
func QRPNG(text string, size int) ([]byte, error) {
	q, err := qrcode.New(text, showLevel)
	if err != nil {
		return nil, fmt.Errorf("this link cannot be made into a QR code: %w", err)
	}
	return q.PNG(size)
}
