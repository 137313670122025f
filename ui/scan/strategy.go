package scan

import (
	"image"

	"github.com/makiuchi-d/gozxing"
)

// strategy is one way of turning a luminance plane into gozxing's binary
// bitmap. Each catches frames the others miss; see frameStrategies.
type strategy struct {
	name   string
	scale  float64 // frame pixels per pixel looked at (2 at half size), for the size hint
	harder bool    // with TRY_HARDER
	bitmap func(d *Decoder, p plane) (*gozxing.BinaryBitmap, error)
}

// frameStrategies take turns across camera frames, so a code held still is
// looked at five ways within 5 frames (≈170 ms at 30 fps) for the CPU of
// about one. Chosen greedily on the synthetic suite (BenchmarkFrames, 216
// hard frames): the stretched centre alone reads 164; half size stretched
// adds 13 (noise with low contrast), half size sharpened 7 (defocus), the
// plain frame codes held off-centre, plain half size motion and noise. The
// global-histogram binarizer added nothing the hybrid one did not read.
var frameStrategies = []strategy{
	{name: "centre", scale: 1, bitmap: hybrid(centreStretched)},
	{name: "half-stretch", scale: 2, bitmap: hybrid(halfStretched)},
	{name: "hybrid", scale: 1, bitmap: hybrid(whole)},
	{name: "half-sharpen", scale: 2, bitmap: hybrid(halfSharpened)},
	{name: "half", scale: 2, bitmap: hybrid(halved)},
}

// stillStrategies are tried in turn on one image (a photo, a screenshot): the
// frame strategies, then slower or rarer ones that pay off when there is no
// next frame — photos are larger than webcam frames and the code can be
// anywhere in them. Measured on the ZXing photos (BenchmarkPhotos).
var stillStrategies = append(append([]strategy(nil), frameStrategies...),
	strategy{name: "stretch", scale: 1, bitmap: hybrid(stretchedAll)},
	strategy{name: "global", scale: 1, bitmap: global(whole)},
	strategy{name: "quarter", scale: 4, bitmap: hybrid(quartered)},
	strategy{name: "half-global", scale: 2, bitmap: global(halved)},
	strategy{name: "global-stretch", scale: 1, bitmap: global(stretchedAll)},
	strategy{name: "sharpen", scale: 1, bitmap: hybrid(sharpened)},
	strategy{name: "hybrid-harder", scale: 1, harder: true, bitmap: hybrid(whole)},
	strategy{name: "half-harder", scale: 2, harder: true, bitmap: hybrid(halved)},
	strategy{name: "quarter-harder", scale: 4, harder: true, bitmap: hybrid(quartered)},
)

// A view picks the plane a strategy binarizes.
type view func(d *Decoder, p plane) (plane, bool)

func whole(_ *Decoder, p plane) (plane, bool) { return p, true }

// centreStretched is the middle three quarters of the frame's width,
// stretched by the target box's contrast: the box is where the code is held,
// and leaving out the sides saves a quarter of the work.
func centreStretched(d *Decoder, p plane) (plane, bool) {
	b := p.bounds()
	return p.stretchBy(image.Rect(b.Dx()/8, 0, b.Dx()*7/8, b.Dy()), TargetBox(b), &d.scratch)
}

// stretchedAll is the whole image stretched by its own contrast (a photo's
// code need not be in the middle).
func stretchedAll(d *Decoder, p plane) (plane, bool) {
	return p.stretchBy(p.bounds(), p.bounds(), &d.scratch)
}

func halved(d *Decoder, p plane) (plane, bool) { return p.halve(&d.scratch.half), true }

func halfStretched(d *Decoder, p plane) (plane, bool) {
	h := p.halve(&d.scratch.half)
	return h.stretchBy(h.bounds(), TargetBox(h.bounds()), &d.scratch)
}

func halfSharpened(d *Decoder, p plane) (plane, bool) {
	h := p.halve(&d.scratch.half)
	return h.sharpen(&d.scratch.sharpened), true
}

func quartered(d *Decoder, p plane) (plane, bool) {
	h := p.halve(&d.scratch.half)
	return h.halve(&d.scratch.quarter), true
}

func sharpened(d *Decoder, p plane) (plane, bool) { return p.sharpen(&d.scratch.sharpened), true }

func hybrid(v view) func(*Decoder, plane) (*gozxing.BinaryBitmap, error) {
	return binarize(v, gozxing.NewHybridBinarizer)
}

func global(v view) func(*Decoder, plane) (*gozxing.BinaryBitmap, error) {
	return binarize(v, gozxing.NewGlobalHistgramBinarizer)
}

func binarize(v view, b func(gozxing.LuminanceSource) gozxing.Binarizer) func(*Decoder, plane) (*gozxing.BinaryBitmap, error) {
	return func(d *Decoder, p plane) (*gozxing.BinaryBitmap, error) {
		q, ok := v(d, p)
		if !ok || q.w < 21 || q.h < 21 { // smaller than the smallest QR code
			return nil, nil
		}
		src, err := q.source(q.bounds())
		if err != nil {
			return nil, err
		}
		return gozxing.NewBinaryBitmap(b(src))
	}
}
