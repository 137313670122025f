package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// buildMain lays out the inbox like a mail client: views and platforms on
// the left, the list in the middle, the open referral on the right.
func (w *Window) buildMain() fyne.CanvasObject {
	side := container.NewVBox(
		heading("Inbox"),
		w.inbox.viewsBox,
		widget.NewSeparator(),
		heading("Platforms"),
		w.syncs.box,
	)
	sidebar := container.New(fixedWidth{220}, container.NewVScroll(side))
	split := container.NewHSplit(w.inbox.pane(), w.detail.object())
	split.Offset = 0.45
	return container.NewBorder(w.inbox.toolbar(), nil, sidebar, nil, container.NewThemeOverride(split, splitTheme{}))
}

// splitTheme makes the divider between the list and the referral easy to
// see and to grab: Fyne's is a hairline in the shadow colour, which in the
// dark theme is the background's. It follows the app's theme otherwise.
type splitTheme struct{}

func (splitTheme) base() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

func (t splitTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameShadow {
		n = theme.ColorNameSeparator
	}
	return t.base().Color(n, v)
}

func (t splitTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameSplitThickness {
		return 2 * t.base().Size(theme.SizeNamePadding)
	}
	return t.base().Size(n)
}

func (t splitTheme) Font(s fyne.TextStyle) fyne.Resource     { return t.base().Font(s) }
func (t splitTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base().Icon(n) }

// heading is a section title in the sidebar.
func heading(text string) *widget.Label {
	return &widget.Label{Text: text, TextStyle: fyne.TextStyle{Bold: true}}
}

// fixedWidth lays its one object out at a fixed width (scaled with the text
// size), so the sidebar neither grows with a long platform name nor shrinks.
type fixedWidth struct{ width float32 }

func (f fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(f.width, h)
}

func (f fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}
