package ui

import (
	"image/color"
	"slices"

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

// flowLayout puts its objects left to right and wraps them onto more lines
// when the width runs out, so no button hides behind a scroll at 150 %. The
// last apart objects keep to the right end of their line, apart from the
// rest, and start a line of their own unless they fit whole beside it.
//
// Fyne asks a layout for its MinSize before it gives it a width; whoever
// gives the width says it first (fit), and until then the objects are one
// line, as an HBox would have them.
type flowLayout struct {
	apart int
	width float32 // the width it will get; 0: not known yet
}

// fit tells the layout the width it will be laid out at.
func (l *flowLayout) fit(width float32) { l.width = width }

func (l *flowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	lines := l.lines(objs, l.width)
	var w float32
	for _, o := range objs {
		w = max(w, o.MinSize().Width) // it can wrap down to its widest object
	}
	if l.width == 0 {
		w = widthOf(objs, lines[0])
	}
	return fyne.NewSize(w, l.height(objs, len(lines)))
}

func (l *flowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	rowH := l.height(objs, 1)
	first := len(objs) - l.apart // the apart group's first object
	y := float32(0)
	for _, ln := range l.lines(objs, size.Width) {
		split := slices.IndexFunc(ln, func(i int) bool { return i >= first })
		x := float32(0)
		for k, i := range ln {
			if k == split { // the apart group goes to the right end
				x = max(x, size.Width-widthOf(objs, ln[split:]))
			}
			w := objs[i].MinSize().Width
			objs[i].Resize(fyne.NewSize(w, rowH))
			objs[i].Move(fyne.NewPos(x, y))
			x += w + theme.Padding()
		}
		y += rowH + theme.Padding()
	}
}

// widthOf is the width of the objects at idx side by side.
func widthOf(objs []fyne.CanvasObject, idx []int) float32 {
	var w float32
	for _, i := range idx {
		w += objs[i].MinSize().Width
	}
	return w + float32(max(len(idx)-1, 0))*theme.Padding()
}

// lines breaks the visible objects into lines (their indexes) no wider
// than width (0: one line). The apart group goes on the current line only
// if it fits whole.
func (l *flowLayout) lines(objs []fyne.CanvasObject, width float32) [][]int {
	pad := theme.Padding()
	first := len(objs) - l.apart
	var group float32 // the apart group's width
	for i := max(first, 0); i < len(objs); i++ {
		if objs[i].Visible() {
			group += objs[i].MinSize().Width + pad
		}
	}
	var out [][]int
	var cur []int
	x := float32(0)
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		w := o.MinSize().Width
		wraps := x+w > width
		if i == first {
			wraps = x+group-pad > width // the group whole, or a line of its own
		}
		if width > 0 && len(cur) > 0 && wraps {
			out, cur, x = append(out, cur), nil, 0
		}
		cur = append(cur, i)
		x += w + pad
	}
	if len(cur) > 0 || len(out) == 0 {
		out = append(out, cur)
	}
	return out
}

// height is the height of n lines: each as tall as the tallest object.
func (l *flowLayout) height(objs []fyne.CanvasObject, n int) float32 {
	var h float32
	for _, o := range objs {
		if o.Visible() {
			h = max(h, o.MinSize().Height)
		}
	}
	return float32(n)*h + float32(max(n-1, 0))*theme.Padding()
}
