// Package scan reads QR codes: from camera frames (continuously, newest frame
// only), from image files and pasted images, and makes QR codes to show. It
// knows nothing of Fyne, so the window, the command line and the tests all
// use it the same way; what a decoded text means is app.ParseConnectionText's
// business, not this package's.
package scan

import (
	"image"
	"strings"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Result is a decoded QR code.
type Result struct {
	Text     string
	Strategy string // which way of looking read it: for benchmarks and support, never shown
}

// Decoder reads QR codes from frames. It keeps its buffers from frame to
// frame, so it is not safe for concurrent use: give each scan its own.
type Decoder struct {
	reader  gozxing.Reader
	scratch scratch
	turn    int
	hint    Hint
	seen    finders // during the current attempt
	hints   map[gozxing.DecodeHintType]any
	harder  map[gozxing.DecodeHintType]any
}

// NewDecoder returns a decoder for QR codes.
func NewDecoder() *Decoder {
	d := &Decoder{reader: qrcode.NewQRCodeReader()}
	seen := gozxing.ResultPointCallback(d.sawPoint)
	// No PURE_BARCODE: it samples a grid from the bounding box of every dark
	// pixel, which in a photo is the clutter around the code, so it adds
	// only risk. TRY_HARDER gains nothing at 720p (desktop.md) and costs
	// time, so it is kept for still images.
	d.hints = map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_NEED_RESULT_POINT_CALLBACK: seen}
	d.harder = map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_NEED_RESULT_POINT_CALLBACK: seen,
		gozxing.DecodeHintType_TRY_HARDER:                 true,
	}
	return d
}

// finders are the module sizes (pixels per module) of the finder patterns
// the detector found: when a frame does not decode, they tell whether the
// code is too small or held at too steep an angle.
type finders struct{ smallest, largest float64 }

func (f *finders) add(m float64) {
	if m <= 0 {
		return
	}
	if f.smallest == 0 || m < f.smallest {
		f.smallest = m
	}
	f.largest = max(f.largest, m)
}

// scaled is f for a strategy that looked at the frame scaled down by s.
func (f finders) scaled(s float64) finders { return finders{f.smallest * s, f.largest * s} }

func (d *Decoder) sawPoint(p gozxing.ResultPoint) {
	if fp, ok := p.(interface{ GetEstimatedModuleSize() float64 }); ok {
		d.seen.add(fp.GetEstimatedModuleSize())
	}
}

// Frame tries to read a camera frame using this frame's strategy: strategies
// take turns across frames, which reads more codes than any one of them for
// the CPU of one (desktop.md). On a miss, Hint says what would help.
func (d *Decoder) Frame(img image.Image) (Result, bool) {
	p := lumaOf(img)
	d.seen = finders{}
	s := frameStrategies[d.turn%len(frameStrategies)]
	d.turn++
	if r, ok := d.try(s, p); ok {
		d.hint = HintNone
		return r, true
	}
	d.hint = assess(p, d.seen.scaled(s.scale))
	return Result{}, false
}

// Still tries every strategy on one image (a photo, a screenshot, a pasted
// image) until one reads it: there is no next frame to wait for.
func (d *Decoder) Still(img image.Image) (Result, bool) {
	p := lumaOf(img)
	var all finders
	for _, s := range stillStrategies {
		d.seen = finders{}
		if r, ok := d.try(s, p); ok {
			d.hint = HintNone
			return r, true
		}
		f := d.seen.scaled(s.scale)
		all.add(f.smallest)
		all.add(f.largest)
	}
	d.hint = assess(p, all)
	return Result{}, false
}

// Hint says what the person could do after the last Frame or Still read nothing.
func (d *Decoder) Hint() Hint { return d.hint }

// try runs one strategy and keeps only results that are certainly a code:
// gozxing has already checked the Reed–Solomon error correction, and text
// that is not valid UTF-8 (or holds U+FFFD) is a misread character set or
// damage, never a link worth offering.
func (d *Decoder) try(s strategy, p plane) (res Result, ok bool) {
	defer func() {
		// A decoder bug on a strange frame must not end the scan or the app:
		// treat it as "no code in this frame".
		if recover() != nil {
			res, ok = Result{}, false
		}
	}()
	bmp, err := s.bitmap(d, p)
	if err != nil || bmp == nil {
		return Result{}, false
	}
	hints := d.hints
	if s.harder {
		hints = d.harder
	}
	r, err := d.reader.Decode(bmp, hints)
	if err != nil || r == nil {
		return Result{}, false
	}
	text := r.GetText()
	if text == "" || !utf8.ValidString(text) || strings.ContainsRune(text, utf8.RuneError) {
		return Result{}, false
	}
	return Result{Text: text, Strategy: s.name}, true
}

// TargetBox is where the preview asks the person to hold the code: a centred
// square of 60 % of the frame's height. Codes below 2 px per module never
// decode and from 6 px all do (desktop.md), so the box both aims the code and
// sets its size; the crop strategies look there first.
func TargetBox(frame image.Rectangle) image.Rectangle {
	side := frame.Dy() * 6 / 10
	if frame.Dx() < frame.Dy() {
		side = frame.Dx() * 6 / 10
	}
	c := image.Pt((frame.Min.X+frame.Max.X)/2, (frame.Min.Y+frame.Max.Y)/2)
	return image.Rect(c.X-side/2, c.Y-side/2, c.X-side/2+side, c.Y-side/2+side)
}
