package scan

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/referraldesk/referraldesk/app"
)

// A QR code's payload to the link the case worker is asked to confirm: the
// window decodes a code (DecodeImage, as for a photo or pasted image) and
// hands the text to app.ParseConnectionText (Window.useScanned). The text
// read must be the text encoded, byte for byte, so that the link checked is
// the link in the code; a decoded text that is not valid UTF-8 (or holds
// U+FFFD) is damage or a misread character set and never reaches the
// checker (Decoder.try).
func FuzzQRPayload(f *testing.F) {
	for _, s := range []string{
		link, "https://referrals.example.org/fhir/R4", "https://bücher.example/fhir?iss=https%3A%2F%2Fb%C3%BCcher.example%2Ffhir",
		"https://pаypal.com/fhir", "https://user@referrals.example.org/fhir", "https://referrals.example.org/fhir\u200b", " https://referrals.example.org/fhir\n",
		"referraldesk://connect?iss=https%3A%2F%2Freferrals.example.org%2Ffhir", "shlink:/eyJ1cmwiOiJodHRwczovL2V4YW1wbGUifQ",
		"MEBKM:URL:http\\://en.wikipedia.org/wiki/Main_Page;;", "Google モバイル\nhttp://google.jp", "\x00", "\xff\xfe", "\ufffd", "ÄÖÜ", "日本語",
		strings.Repeat("https://r.example/fhir?iss=x&name=Ünïcødé ", 10),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		img, err := QRImage(text, -3)
		if err != nil {
			return // too long for a QR code: nothing to scan
		}
		r, _, err := DecodeImage(img)
		if text == "" || !utf8.ValidString(text) || strings.ContainsRune(text, utf8.RuneError) {
			// Bytes that are not UTF-8 are read in the character set gozxing
			// guesses (a QR code's default is ISO 8859-1), and that text goes
			// through the checker like any other; but never text with U+FFFD.
			if err == nil && (r.Text == "" || !utf8.ValidString(r.Text) || strings.ContainsRune(r.Text, utf8.RuneError)) {
				t.Fatalf("a code of %q read as %q, which the decoder must drop", text, r.Text)
			}
			return
		}
		if err != nil {
			// Reading nothing is allowed: gozxing's detector mis-samples some
			// sharp codes at some sizes (seed gozxing-missamples-at-3px reads
			// at 2, 4 and 5 pixels a module, not at 3 or 6), and its Reed–Solomon
			// check then refuses them. Reading another text never is.
			if !errors.Is(err, ErrNoCode) {
				t.Fatalf("a code of %q: %v; want a text or ErrNoCode", text, err)
			}
			return
		}
		if r.Text != text {
			t.Fatalf("a code of %q read as %q (%s): the link checked would not be the link in the code", text, r.Text, r.Strategy)
		}
		want, werr := app.ParseConnectionText(text)
		got, gerr := app.ParseConnectionText(r.Text)
		if (werr == nil) != (gerr == nil) || got.Link != want.Link {
			t.Fatalf("a code of %q: the scanned link reads %+v, %v; the text %+v, %v", text, got.Link, gerr, want.Link, werr)
		}
	})
}

// FuzzReadImage: an image file or pasted image, whatever its bytes, is read
// within its bounds or refused with the package's typed error, and a code in
// it is read or not: no panic, no image beyond maxPixels.
func FuzzReadImage(f *testing.F) {
	png, err := QRPNG(link, 120)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(png)
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	f.Add([]byte("\xff\xd8\xff\xdb\x00\x43\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := ReadImage(bytes.NewReader(data))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ReadImage refused with %v (%T), not a *scan.Error", err, err)
			}
			return
		}
		b := img.Bounds()
		if b.Dx() <= 0 || b.Dy() <= 0 || b.Dx()*b.Dy() > maxPixels {
			t.Fatalf("ReadImage gave an image of %v", b)
		}
		if b.Dx()*b.Dy() <= 1<<20 { // decoding larger ones is right, only slow
			if r, _, err := DecodeImage(img); err == nil && (r.Text == "" || !utf8.ValidString(r.Text)) {
				t.Fatalf("DecodeImage read %q", r.Text)
			}
		}
	})
}
