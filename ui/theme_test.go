package ui

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// TestThemeColoursReadWell: in both variants, every colour the window
// writes text in reads on its background at WCAG AA (4.5:1), and the marks
// that are not text (the unread dot, the urgent stripe) at 3:1.
func TestThemeColoursReadWell(t *testing.T) {
	test.NewTempApp(t)
	for _, choice := range []string{themeLight, themeDark} {
		th := &appTheme{Theme: theme.DefaultTheme()}
		v := forcedVariants[choice]
		th.forced.Store(&v)
		c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, theme.VariantDark) }
		bg := c(theme.ColorNameBackground)
		for _, k := range []struct {
			what   string
			fg, bg color.Color
			min    float64
		}{
			{"text", c(theme.ColorNameForeground), bg, 4.5},
			{"URGENT and Do not contact", c(theme.ColorNameError), bg, 4.5},
			{"Overdue", c(theme.ColorNameWarning), bg, 4.5},
			{"Active consent", c(theme.ColorNameSuccess), bg, 4.5},
			{"a danger button's text", c(theme.ColorNameForegroundOnError), c(theme.ColorNameError), 4.5},
			{"Complete…'s text", c(theme.ColorNameForegroundOnSuccess), c(theme.ColorNameSuccess), 4.5},
			{"the unread dot", c(theme.ColorNamePrimary), bg, 3},
			{"the urgent stripe", c(theme.ColorNameError), bg, 3},
			{"the do-not-contact banner", color.White, dncRed, 4.5},
		} {
			if r := contrast(k.fg, k.bg); r < k.min {
				t.Errorf("%s theme: %s is %.2f:1 on its background, want at least %.1f:1", choice, k.what, r, k.min)
			}
		}
	}
}

// contrast is WCAG 2's contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func luminance(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(n.R) + 0.7152*lin(n.G) + 0.0722*lin(n.B)
}

// TestInboxInLightAndDarkThemes: the inbox with a do-not-contact referral
// open, drawn in Fyne's own theme after choosing Light, then Dark, in
// Settings. The goldens are pictures: the markup names theme colours, the
// same in both variants.
func TestInboxInLightAndDarkThemes(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 25})
	// Canvas.Capture first drops what Fyne's cache holds past a clock
	// sample taken at its last capture; in a long run of the package that
	// sample is minutes old, and the renderers this test makes would go in
	// the middle of its capture. A capture now brings the sample up to date.
	test.NewTempWindow(t, widget.NewLabel("")).Canvas().Capture()
	h.fa.Settings().SetTheme(theme.DefaultTheme()) // the real colours, not the test driver's
	h.connect()
	h.sync()
	w := h.open(nil)
	opened := false
	for _, r := range w.inbox.pages[0] {
		if r.DoNotContact {
			w.inbox.show(r.SourceID, r.TaskID) // as a click on its row
			h.settle()
			opened = true
			break
		}
	}
	if !opened {
		t.Fatal("the New view has no do-not-contact referral to open")
	}
	for _, c := range []struct{ label, golden string }{{"Light", "inbox-light"}, {"Dark", "inbox-dark"}} {
		s := openSettings(t, h)
		s.theme.SetSelected(c.label)
		s.d.Hide()
		h.settle()
		mustContain(t, h.markup(), "DO NOT CONTACT THIS PERSON", "Overdue")
		assertPicture(t, c.golden, w.win.Canvas().Capture())
	}
}

// assertPicture compares img with testdata/NAME.png, pixel for pixel;
// -update rewrites it, a mismatch writes testdata/failed/NAME.png. At
// another date (-today) the dates in the picture differ: the markup
// goldens check those screens then, so this one does not.
func assertPicture(t *testing.T, name string, img image.Image) {
	t.Helper()
	path := filepath.Join("testdata", name+".png")
	got := nrgba(img)
	if *update {
		if err := writePNG(path, got); err != nil {
			t.Fatal(err)
		}
		return
	}
	if *today != "" {
		return
	}
	want, err := readPNG(path)
	if err == nil && want.Rect == got.Rect && bytes.Equal(want.Pix, got.Pix) {
		return
	}
	failed := filepath.Join("testdata", "failed", name+".png")
	os.MkdirAll(filepath.Dir(failed), 0o755)
	if werr := writePNG(failed, got); werr != nil {
		t.Errorf("writing %s: %v", failed, werr)
	}
	if err != nil {
		t.Errorf("no picture golden %s (%v); wrote %s: run go test -update after looking at it", path, err, failed)
		return
	}
	t.Errorf("%s differs from %s; compare the pictures", failed, path)
}

func nrgba(img image.Image) *image.NRGBA {
	out := image.NewNRGBA(img.Bounds())
	draw.Draw(out, out.Rect, img, img.Bounds().Min, draw.Src)
	return out
}

func readPNG(path string) (*image.NRGBA, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return nrgba(img), nil
}

func writePNG(path string, img image.Image) error {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
