package scantest

// Where a code lands in a frame: its corners after rotation and tilt, and
// the homography that maps the code's square onto them.

import "math"

type quad [4][2]float64

// square is a code of the given side centred at (cx, cy), rotated by angle
// and tilted by tilt radians about an axis in direction tiltAxis, seen from
// three times its side away (a code filling the target box, held 30 cm from a 720p webcam): foreshortened by cos(tilt), the far part smaller.
func square(cx, cy, side, angle, tilt, tiltAxis float64) quad {
	var q quad
	corners := [4][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}}
	ax, ay := math.Cos(tiltAxis), math.Sin(tiltAxis) // the axis
	nx, ny := -ay, ax                                // across it
	dist := 3 * side
	for i, c := range corners {
		x, y := c[0]*side/2, c[1]*side/2
		a, t := x*ax+y*ay, x*nx+y*ny
		z := t * math.Sin(tilt)
		t *= math.Cos(tilt)
		s := dist / (dist + z)
		x, y = (a*ax+t*nx)*s, (a*ay+t*ny)*s
		q[i] = [2]float64{cx + x*math.Cos(angle) - y*math.Sin(angle), cy + x*math.Sin(angle) + y*math.Cos(angle)}
	}
	return q
}

// drawCode maps the code's modules onto the quad (a homography), with 3×3
// supersampling at the module edges, and keeps a white margin as paper.
type homography [9]float64

func (h homography) apply(x, y float64) (float64, float64) {
	w := h[6]*x + h[7]*y + h[8]
	return (h[0]*x + h[1]*y + h[2]) / w, (h[3]*x + h[4]*y + h[5]) / w
}

// squareToQuad maps the unit square onto q (Heckbert's closed form).
func squareToQuad(q quad) homography {
	x0, y0, x1, y1, x2, y2, x3, y3 := q[0][0], q[0][1], q[1][0], q[1][1], q[2][0], q[2][1], q[3][0], q[3][1]
	dx3, dy3 := x0-x1+x2-x3, y0-y1+y2-y3
	dx1, dx2, dy1, dy2 := x1-x2, x3-x2, y1-y2, y3-y2
	den := dx1*dy2 - dx2*dy1
	g := (dx3*dy2 - dx2*dy3) / den
	hh := (dx1*dy3 - dx3*dy1) / den
	return homography{x1 - x0 + g*x1, x3 - x0 + hh*x3, x0, y1 - y0 + g*y1, y3 - y0 + hh*y3, y0, g, hh, 1}
}

func (h homography) inverse() homography {
	a, b, c, d, e, f, g, k, l := h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
	return homography{e*l - f*k, c*k - b*l, b*f - c*e, f*g - d*l, a*l - c*g, c*d - a*f, d*k - e*g, b*g - a*k, a*e - b*d}
}

// blur is a Gaussian blur (defocus), separable.
