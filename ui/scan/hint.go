package scan

// Hint is what the preview suggests when frames do not decode.
type Hint int

const (
	HintNone     Hint = iota
	HintTooSmall      // finder patterns seen, but under ~2.5 px per module: nothing that small decodes
	HintTilted        // finder patterns of very different sizes: the code is held at a steep angle
	HintBlurry        // the target box has contrast but no sharp edges: out of focus or moving
	HintDark          // the target box is nearly flat: too dark, or nothing there
)

// Say is the hint as a sentence for the case worker.
func (h Hint) Say() string {
	switch h {
	case HintTooSmall:
		return "Hold the code closer, so it fills the box."
	case HintTilted:
		return "Hold the code flat, facing the camera."
	case HintBlurry:
		return "The picture is blurry: hold the code still, a little further away, until it is sharp."
	case HintDark:
		return "Hold the code inside the box, with enough light on it."
	}
	return ""
}

// tooSmall is the module size under which codes rarely decode (desktop.md:
// none below 2 px, all from 6 px).
const tooSmall = 2.5

// tilted is the ratio of finder-pattern sizes beyond which gozxing's detector
// will not pair them (it refuses patterns over 1.4× apart): a code held at a
// steep angle close to the lens.
const tilted = 1.3

// assess works out a hint for a frame that did not decode, from the finder
// patterns the detector saw and from the
// target box's contrast and sharpness. It samples every 4th row and costs
// well under a millisecond at 720p.
func assess(p plane, seen finders) Hint {
	if seen.smallest > 0 && seen.smallest < tooSmall {
		return HintTooSmall
	}
	if seen.smallest > 0 && seen.largest > tilted*seen.smallest {
		return HintTilted
	}
	box := TargetBox(p.bounds())
	if box.Dx() < 8 {
		return HintNone
	}
	var hist [256]int
	var edges [256]int
	n := 0
	for y := box.Min.Y; y < box.Max.Y; y += 4 {
		row := p.pix[y*p.stride:]
		prev := int(row[box.Min.X])
		for x := box.Min.X + 1; x < box.Max.X; x++ {
			v := int(row[x])
			d := v - prev
			if d < 0 {
				d = -d
			}
			edges[d]++
			hist[v]++
			n++
			prev = v
		}
	}
	contrast := percentile(&hist, n, 95) - percentile(&hist, n, 5)
	if contrast < 24 {
		return HintDark
	}
	// A sharp edge steps by most of the contrast from one pixel to the
	// next; defocus or motion spreads the step over several pixels.
	if sharpest := percentile(&edges, n, 99); sharpest*4 < contrast {
		return HintBlurry
	}
	return HintNone
}
