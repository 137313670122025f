// Package scantest makes synthetic 1280×720 webcam frames of QR codes for the
// scanner's tests and benchmarks: each hard condition a case worker's webcam
// meets (tilt, rotation, defocus, motion, noise, low contrast, shadow, glare,
// JPEG compression) and frames with no code at all. Frames are generated
// from a seed, so every run sees the same ones.
package scantest

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"

	qrcode "github.com/skip2/go-qrcode"
)

// Width and Height are a 720p webcam's frame.
const Width, Height = 1280, 720

// Conditions are the hard conditions, in report order. NoCode frames hold
// clutter (including finder-like squares) and must never decode.
var Conditions = []string{"tilt", "rotation", "defocus", "motion", "noise", "lowcontrast", "shadow", "glare", "jpeg"}

// NoCode names frames without a code.
const NoCode = "nocode"

// Frame is one synthetic frame and what it shows.
type Frame struct {
	Condition string
	Payload   string // "" for a NoCode frame
	Image     image.Image
}

// Payloads are the texts codes carry: a connection link of ordinary size and
// a long one (a version 13–15 code, which needs the code held closer).
func Payloads() []string {
	return []string{
		"https://referrals.example.org/fhir/R4?iss=https%3A%2F%2Freferrals.example.org%2Ffhir%2FR4&client_id=rd-4711",
		"https://platform.example.net/fhir/r4?iss=https%3A%2F%2Fplatform.example.net%2Ffhir%2Fr4&client_id=referral-desk-community-partners-3f9a2c7e&redirect_port=53682&owner=Organization%2Fcommunity-food-bank-of-the-valley-0042&name=Community%20Referral%20Network%20of%20the%20Valley%20%28Production%29&v=1",
	}
}

// Suite returns n frames per hard condition (alternating payloads) and n
// NoCode frames, generated from seed.
func Suite(seed uint64, n int) []Frame {
	var out []Frame
	payloads := Payloads()
	for ci, cond := range append(append([]string(nil), Conditions...), NoCode) {
		for i := 0; i < n; i++ {
			rng := rand.New(rand.NewPCG(seed, uint64(ci*1000+i)))
			p := payloads[i%len(payloads)]
			if cond == NoCode {
				p = ""
			}
			out = append(out, Frame{Condition: cond, Payload: p, Image: Render(cond, p, rng)})
		}
	}
	return out
}

// Render draws one frame: the code (unless payload is "") printed on a
// sheet lying on a cluttered desk, seen through a webcam under cond.
func Render(cond, payload string, rng *rand.Rand) image.Image {
	f := newCanvas(rng)
	if payload != "" {
		q, err := qrcode.New(payload, qrcode.Medium)
		if err != nil {
			panic(fmt.Sprintf("scantest: %v", err))
		}
		bits := q.Bitmap() // includes the 4-module quiet zone
		n := float64(len(bits))
		// Most people fill the target box (60 % of the height); some hold it a little off.
		side := 430 * (0.8 + 0.35*rng.Float64())
		if side/n < 3.2 {
			side = 3.2 * n
		}
		cx := Width/2 + (rng.Float64()-0.5)*120
		cy := Height/2 + (rng.Float64()-0.5)*80
		angle := (rng.Float64() - 0.5) * 0.3 // ±8.6°: nobody holds a code quite straight
		tilt := (rng.Float64() - 0.5) * 0.2
		dark, light := 25+rng.Float64()*20, 205+rng.Float64()*35
		switch cond {
		case "tilt":
			tilt = (0.35 + 0.45*rng.Float64()) * sign(rng) // 20–46°
		case "rotation":
			angle = rng.Float64() * 2 * math.Pi
		case "lowcontrast":
			mid := 90 + rng.Float64()*80
			delta := 16 + rng.Float64()*22
			dark, light = mid-delta/2, mid+delta/2
		}
		quad := square(cx, cy, side, angle, tilt, rng.Float64()*2*math.Pi)
		f.drawCode(bits, quad, dark, light)
	} else {
		f.clutter(rng, true)
	}
	switch cond {
	case "defocus":
		f.blur(1.6 + 1.4*rng.Float64())
	case "motion":
		f.motion(5+7*rng.Float64(), rng.Float64()*math.Pi)
	case "shadow":
		f.shadow(rng)
	case "glare":
		f.glare(rng)
	default:
		f.blur(0.6) // a webcam's lens and demosaicing are never perfectly sharp
	}
	noise := 3.0
	if cond == "noise" {
		noise = 18 + 14*rng.Float64()
	}
	f.noise(rng, noise)
	if cond == "jpeg" || cond == NoCode && rng.IntN(2) == 0 {
		return f.jpeg(5 + rng.IntN(12))
	}
	return f.gray()
}

func sign(rng *rand.Rand) float64 {
	if rng.IntN(2) == 0 {
		return -1
	}
	return 1
}

// canvas is a frame being drawn, in floating-point luminance.
type canvas struct{ v []float64 }

func newCanvas(rng *rand.Rand) *canvas {
	f := &canvas{v: make([]float64, Width*Height)}
	// a desk: a lit gradient and large soft blotches
	base, gx, gy := 80+rng.Float64()*60, (rng.Float64()-0.5)*60, (rng.Float64()-0.5)*60
	for y := 0; y < Height; y++ {
		for x := 0; x < Width; x++ {
			f.v[y*Width+x] = base + gx*float64(x)/Width + gy*float64(y)/Height
		}
	}
	f.clutter(rng, false)
	return f
}

// clutter draws rectangles and text-like strokes; with bait it adds
// finder-like concentric squares and checkerboards that lure a detector.
func (f *canvas) clutter(rng *rand.Rand, bait bool) {
	for i := 0; i < 12; i++ {
		x, y := rng.IntN(Width), rng.IntN(Height)
		w, h := 20+rng.IntN(220), 10+rng.IntN(160)
		f.rect(x, y, x+w, y+h, rng.Float64()*255)
	}
	for i := 0; i < 40; i++ { // "text": rows of short dark bars
		x, y := rng.IntN(Width), rng.IntN(Height)
		for j := 0; j < 10; j++ {
			f.rect(x+j*9, y, x+j*9+3+rng.IntN(5), y+8+rng.IntN(4), 20+rng.Float64()*40)
		}
	}
	if !bait {
		return
	}
	for i := 0; i < 3; i++ { // finder-pattern look-alikes: 1:1:3:1:1
		m := 3 + rng.IntN(6)
		x, y := 40+rng.IntN(Width-120), 40+rng.IntN(Height-120)
		f.rect(x, y, x+7*m, y+7*m, 30)
		f.rect(x+m, y+m, x+6*m, y+6*m, 220)
		f.rect(x+2*m, y+2*m, x+5*m, y+5*m, 30)
	}
	m := 3 + rng.IntN(5)
	x0, y0 := rng.IntN(Width-200), rng.IntN(Height-200)
	for j := 0; j < 30; j++ { // a random module field, like a code without its structure
		for i := 0; i < 30; i++ {
			if rng.IntN(2) == 0 {
				f.rect(x0+i*m, y0+j*m, x0+(i+1)*m, y0+(j+1)*m, 30)
			}
		}
	}
}

func (f *canvas) rect(x0, y0, x1, y1 int, v float64) {
	for y := max(y0, 0); y < min(y1, Height); y++ {
		for x := max(x0, 0); x < min(x1, Width); x++ {
			f.v[y*Width+x] = v
		}
	}
}

// quad is four image corners: top-left, top-right, bottom-right, bottom-left of the code.
func (f *canvas) drawCode(bits [][]bool, q quad, dark, light float64) {
	n := float64(len(bits))
	h := squareToQuad(q)
	inv := h.inverse()
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, c := range q {
		minX, maxX = math.Min(minX, c[0]), math.Max(maxX, c[0])
		minY, maxY = math.Min(minY, c[1]), math.Max(maxY, c[1])
	}
	for y := max(int(minY)-1, 0); y <= min(int(maxY)+1, Height-1); y++ {
		for x := max(int(minX)-1, 0); x <= min(int(maxX)+1, Width-1); x++ {
			sum, inside := 0.0, 0
			for sy := 0; sy < 3; sy++ {
				for sx := 0; sx < 3; sx++ {
					u, v := inv.apply(float64(x)+(float64(sx)+0.5)/3, float64(y)+(float64(sy)+0.5)/3)
					if u < 0 || v < 0 || u >= 1 || v >= 1 {
						continue
					}
					inside++
					if bits[int(v*n)][int(u*n)] {
						sum += dark
					} else {
						sum += light
					}
				}
			}
			if inside > 0 {
				i := y*Width + x
				f.v[i] = (sum + f.v[i]*float64(9-inside)) / 9
			}
		}
	}
}

// homography is a 3×3 projective map.
func (f *canvas) blur(sigma float64) {
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*r+1)
	sum := 0.0
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	tmp := make([]float64, len(f.v))
	for y := 0; y < Height; y++ {
		for x := 0; x < Width; x++ {
			s := 0.0
			for i, w := range k {
				s += w * f.v[y*Width+clamp(x+i-r, Width)]
			}
			tmp[y*Width+x] = s
		}
	}
	for y := 0; y < Height; y++ {
		for x := 0; x < Width; x++ {
			s := 0.0
			for i, w := range k {
				s += w * tmp[clamp(y+i-r, Height)*Width+x]
			}
			f.v[y*Width+x] = s
		}
	}
}

func clamp(i, n int) int { return min(max(i, 0), n-1) }

// motion averages along a line of the given length (pixels) and direction: a hand moving the code.
func (f *canvas) motion(length, dir float64) {
	steps := int(length) + 1
	dx, dy := math.Cos(dir), math.Sin(dir)
	out := make([]float64, len(f.v))
	for y := 0; y < Height; y++ {
		for x := 0; x < Width; x++ {
			s := 0.0
			for i := 0; i < steps; i++ {
				t := (float64(i)/float64(steps-1) - 0.5) * length
				s += f.v[clamp(y+int(math.Round(t*dy)), Height)*Width+clamp(x+int(math.Round(t*dx)), Width)]
			}
			out[y*Width+x] = s / float64(steps)
		}
	}
	f.v = out
}

// shadow darkens everything on one side of a soft line through the middle of the frame (a hand or a head).
func (f *canvas) shadow(rng *rand.Rand) {
	dir := rng.Float64() * 2 * math.Pi
	nx, ny := math.Cos(dir), math.Sin(dir)
	off := (rng.Float64() - 0.5) * 150
	depth := 0.3 + 0.25*rng.Float64() // light left in the shadow
	soft := 6 + 20*rng.Float64()
	for y := 0; y < Height; y++ {
		for x := 0; x < Width; x++ {
			d := (float64(x)-Width/2)*nx + (float64(y)-Height/2)*ny - off
			t := 1 / (1 + math.Exp(-d/soft)) // 0 in shadow, 1 in light
			f.v[y*Width+x] *= depth + (1-depth)*t
		}
	}
	f.blur(0.6)
}

// glare adds a bright spot that burns out part of the code (a lamp on glossy paper or a phone screen).
func (f *canvas) glare(rng *rand.Rand) {
	cx := Width/2 + (rng.Float64()-0.5)*250
	cy := Height/2 + (rng.Float64()-0.5)*200
	r := 45 + 50*rng.Float64()
	peak := 170 + 80*rng.Float64()
	for y := 0; y < Height; y++ {
		for x := 0; x < Width; x++ {
			dx, dy := (float64(x)-cx)/r, (float64(y)-cy)/(r*0.7)
			f.v[y*Width+x] += peak * math.Exp(-(dx*dx+dy*dy)/2)
		}
	}
	f.blur(0.6)
}

// noise adds Gaussian sensor noise.
func (f *canvas) noise(rng *rand.Rand, sigma float64) {
	for i := range f.v {
		f.v[i] += rng.NormFloat64() * sigma
	}
}

func (f *canvas) gray() *image.Gray {
	g := image.NewGray(image.Rect(0, 0, Width, Height))
	for i, v := range f.v {
		g.Pix[i] = byte(math.Round(math.Min(math.Max(v, 0), 255)))
	}
	return g
}

// jpeg compresses the frame as a colour JPEG of the given quality and
// decodes it again, as an MJPEG webcam does: the result is an *image.YCbCr.
func (f *canvas) jpeg(quality int) image.Image {
	g := f.gray()
	rgba := image.NewRGBA(g.Rect)
	for i, v := range g.Pix {
		rgba.Pix[4*i], rgba.Pix[4*i+1], rgba.Pix[4*i+2], rgba.Pix[4*i+3] = v, byte(max(int(v)-8, 0)), byte(min(int(v)+6, 255)), 255
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: quality}); err != nil {
		panic(err)
	}
	img, err := jpeg.Decode(&buf)
	if err != nil {
		panic(err)
	}
	return img
}

// Code is a straight code centred on a plain 1280×720 frame at the given
// pixels per module, blurred by sigma (0 = sharp): for tests that need one
// property and nothing else.
func Code(payload string, module, sigma float64) *image.Gray {
	f := &canvas{v: make([]float64, Width*Height)}
	for i := range f.v {
		f.v[i] = 120
	}
	q, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		panic(fmt.Sprintf("scantest: %v", err))
	}
	bits := q.Bitmap()
	side := module * float64(len(bits))
	f.drawCode(bits, square(Width/2, Height/2, side, 0, 0, 0), 20, 235)
	if sigma > 0 {
		f.blur(sigma)
	}
	return f.gray()
}
