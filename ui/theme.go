package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// The window uses Fyne's default theme, which follows the OS light/dark
// setting and scales with FYNE_SCALE; these are the few colours of our own.

// dncRed is the do-not-contact banner: the same strong red in light and
// dark mode, with white text (contrast 6.5:1), so it reads the same everywhere.
var dncRed = color.NRGBA{R: 0xB0, G: 0x1C, B: 0x1C, A: 0xFF}

// bannerTheme draws white text on the banner's red, whatever the OS theme.
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
