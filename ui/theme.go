package ui

import (
	"image/color"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// The window uses Fyne's default theme, which scales with FYNE_SCALE, in the
// variant the case worker chose (Settings): light, dark, or the system's.
// These are the few colours of our own.

// The theme choices, as the preferences keep them.
const (
	themeSystem = "system"
	themeLight  = "light"
	themeDark   = "dark"
)

// appTheme is the window's theme: the base theme (Fyne's; the test driver's
// in tests) forced to the chosen variant, with darker status colours on the
// light variant's white. It is one value for the app's lifetime, so that a
// theme override wrapping it (the do-not-contact banner) follows a change.
type appTheme struct {
	fyne.Theme
	forced atomic.Pointer[fyne.ThemeVariant] // nil: the variant Fyne gives (the system's)
}

func (t *appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if f := t.forced.Load(); f != nil {
		v = *f
	}
	if c, ok := lightColors[n]; ok && v == theme.VariantLight {
		return c
	}
	return t.Theme.Color(n, v)
}

// lightColors replace Fyne's status colours on the light variant, where they
// are text on white (Overdue, URGENT, Do not contact, Active consent) and the
// background of white text (Complete…, Decline at capacity): Fyne's orange is
// 2.2:1 there, its green 1.5:1 and its red 3.7:1; these are 5:1 or better
// (WCAG AA asks 4.5:1). The dark variant's own read well on its background,
// and Fyne's primary (the unread dot, the selection) is the case worker's
// choice in Fyne's settings (theme_test.go checks all of them).
var lightColors = map[fyne.ThemeColorName]color.Color{
	theme.ColorNameError:   color.NRGBA{R: 0xC6, G: 0x28, B: 0x28, A: 0xFF}, // 5.6:1
	theme.ColorNameWarning: color.NRGBA{R: 0xB4, G: 0x53, B: 0x09, A: 0xFF}, // 5.0:1
	theme.ColorNameSuccess: color.NRGBA{R: 0x2E, G: 0x7D, B: 0x32, A: 0xFF}, // 5.1:1
}

var forcedVariants = map[string]fyne.ThemeVariant{themeLight: theme.VariantLight, themeDark: theme.VariantDark}

// useTheme draws the app in the chosen theme (themeLight, themeDark or
// themeSystem) at once: Fyne applies it to every window and dialog.
func useTheme(fa fyne.App, choice string) {
	t, ok := fa.Settings().Theme().(*appTheme)
	if !ok {
		t = &appTheme{Theme: fa.Settings().Theme()}
		if t.Theme == nil {
			t.Theme = theme.DefaultTheme()
		}
	}
	if v, ok := forcedVariants[choice]; ok {
		t.forced.Store(&v)
	} else {
		t.forced.Store(nil) // the system's
	}
	fa.Settings().SetTheme(t)
}

// dncRed is the do-not-contact banner: the same strong red in light and
// dark mode, with white text (contrast 6.5:1), so it reads the same everywhere.
var dncRed = color.NRGBA{R: 0xB0, G: 0x1C, B: 0x1C, A: 0xFF}

// bannerTheme draws white text on the banner's red, whatever the theme.
type bannerTheme struct{ fyne.Theme }

func (t bannerTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameForeground:
		return color.White
	case theme.ColorNameButton:
		return color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0x33}
	case theme.ColorNameHover:
		return color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0x22}
	}
	return t.Theme.Color(n, v)
}

// urgentColor marks urgent rows; the theme's error colour stays readable in both variants.
func urgentColor() color.Color { return theme.Color(theme.ColorNameError) }
