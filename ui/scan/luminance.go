package scan

import (
	"image"
	"image/draw"

	"github.com/makiuchi-d/gozxing"
)

// plane is an 8-bit luminance plane: rows of w bytes, stride bytes apart.
// gozxing reads it in place: wrapping Gray.Pix or YCbCr.Y costs ~40 ns,
// while gozxing.NewBinaryBitmapFromImage costs 3.5–18 ms per 720p frame
// (desktop.md).
type plane struct {
	pix       []byte
	stride    int
	w, h      int
	converted bool // pix was made here (the frame was not Gray or YCbCr)
}

// lumaOf returns img's luminance plane, without copying when img is
// *image.Gray or *image.YCbCr (what cameras and JPEG decoding produce);
// other images are converted to gray once.
func lumaOf(img image.Image) plane {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		return plane{pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], stride: m.Stride, w: b.Dx(), h: b.Dy()}
	case *image.YCbCr:
		return plane{pix: m.Y[m.YOffset(b.Min.X, b.Min.Y):], stride: m.YStride, w: b.Dx(), h: b.Dy()}
	}
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Rect, img, b.Min, draw.Src)
	return plane{pix: g.Pix, stride: g.Stride, w: g.Rect.Dx(), h: g.Rect.Dy(), converted: true}
}

// source wraps the plane (or the rectangle r of it) for gozxing without copying.
func (p plane) source(r image.Rectangle) (gozxing.LuminanceSource, error) {
	// dataHeight h keeps the last row inside pix even when the plane is a
	// sub-image whose final row is shorter than the stride.
	return gozxing.NewPlanarYUVLuminanceSource(p.pix, p.stride, p.h, r.Min.X, r.Min.Y, r.Dx(), r.Dy(), false)
}

func (p plane) bounds() image.Rectangle { return image.Rect(0, 0, p.w, p.h) }

// at is the luminance at (x, y).
func (p plane) at(x, y int) byte { return p.pix[y*p.stride+x] }

// scratch holds the buffers the derived planes are written into, reused
// from frame to frame so a running scan allocates nothing per frame.
type scratch struct{ stretched, half, quarter, sharpened []byte }

func grow(buf []byte, n int) []byte {
	if cap(buf) < n {
		return make([]byte, n)
	}
	return buf[:n]
}

// stretchBy maps the 1st…99th percentile of the luminance in from to 0…255,
// over the rectangle r. gozxing's binarizers give up on low contrast (a grey code on
// a grey desk, a dim screen); the stretch lifts them from 32 % to 98 %
// (desktop.md). It reports false when r is flat, so there is nothing to read.
func (p plane) stretchBy(r, from image.Rectangle, s *scratch) (plane, bool) {
	var hist [256]int
	n := 0
	for y := from.Min.Y; y < from.Max.Y; y += 2 { // every other row and column: the percentiles barely move
		row := p.pix[y*p.stride:]
		for x := from.Min.X; x < from.Max.X; x += 2 {
			hist[row[x]]++
			n++
		}
	}
	lo, hi := percentile(&hist, n, 1), percentile(&hist, n, 99)
	if hi-lo < 8 {
		return plane{}, false
	}
	var lut [256]byte
	for v := range lut {
		switch {
		case v <= lo:
			lut[v] = 0
		case v >= hi:
			lut[v] = 255
		default:
			lut[v] = byte((v - lo) * 255 / (hi - lo))
		}
	}
	w, h := r.Dx(), r.Dy()
	s.stretched = grow(s.stretched, w*h)
	for y := 0; y < h; y++ {
		src := p.pix[(r.Min.Y+y)*p.stride+r.Min.X:][:w]
		dst := s.stretched[y*w:][:w]
		for x, v := range src {
			dst[x] = lut[v]
		}
	}
	return plane{pix: s.stretched, stride: w, w: w, h: h}, true
}

func percentile(hist *[256]int, n, pct int) int {
	want, sum := n*pct/100, 0
	for v, c := range hist {
		sum += c
		if sum > want {
			return v
		}
	}
	return 255
}

// halve averages 2×2 blocks. A code filling the frame, a noisy or slightly
// blurred one often reads better at half size, and the binarizer and
// detector then cost a quarter.
func (p plane) halve(into *[]byte) plane {
	w, h := p.w/2, p.h/2
	*into = grow(*into, w*h)
	out := *into
	for y := 0; y < h; y++ {
		r0 := p.pix[2*y*p.stride:]
		r1 := p.pix[(2*y+1)*p.stride:]
		dst := out[y*w:][:w]
		for x := range dst {
			dst[x] = byte((int(r0[2*x]) + int(r0[2*x+1]) + int(r1[2*x]) + int(r1[2*x+1]) + 2) / 4)
		}
	}
	return plane{pix: out, stride: w, w: w, h: h}
}

// sharpen is an unsharp mask (centre ×5 minus the four neighbours): it
// steepens the edges a defocused lens spreads.
func (p plane) sharpen(into *[]byte) plane {
	w, h := p.w, p.h
	*into = grow(*into, w*h)
	out := *into
	copy(out[:w], p.pix[:w])
	for y := 1; y < h-1; y++ {
		up, row, down := p.pix[(y-1)*p.stride:], p.pix[y*p.stride:], p.pix[(y+1)*p.stride:]
		dst := out[y*w:][:w]
		dst[0], dst[w-1] = row[0], row[w-1]
		for x := 1; x < w-1; x++ {
			v := 5*int(row[x]) - int(row[x-1]) - int(row[x+1]) - int(up[x]) - int(down[x])
			dst[x] = byte(min(max(v, 0), 255))
		}
	}
	copy(out[(h-1)*w:], p.pix[(h-1)*p.stride:][:w])
	return plane{pix: out, stride: w, w: w, h: h}
}
