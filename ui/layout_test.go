package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// box is an object of a fixed minimum size, for layout tests.
func box(w, h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(nil)
	r.SetMinSize(fyne.NewSize(w, h))
	return r
}

// The action row wraps instead of hiding a button behind a scroll (issue
// 18: at 150 % Decline was cut off), and Complete/Cancel keep to the right.
func TestFlowLayoutWrapsAndKeepsTheApartGroupRight(t *testing.T) {
	p := theme.Padding()
	objs := []fyne.CanvasObject{box(60, 30), box(70, 30), box(150, 30)} // Accept, Decline | Cancel referral…
	l := &flowLayout{apart: 1}
	at := func(i int) fyne.Position { return objs[i].Position() }

	// Before a width is known: one line, as wide as its objects.
	if got, want := l.MinSize(objs), fyne.NewSize(280+2*p, 30); got != want {
		t.Errorf("MinSize with no width = %v, want one line %v", got, want)
	}

	// Room for all: one line, the apart button at the right end.
	l.fit(400)
	if got := l.MinSize(objs).Height; got != 30 {
		t.Errorf("height at 400 = %v, want one line (30)", got)
	}
	l.Layout(objs, fyne.NewSize(400, 30))
	if at(0) != (fyne.Position{}) || at(1).X != 60+p || at(2) != fyne.NewPos(250, 0) {
		t.Errorf("at 400: positions %v %v %v, want 0, %v and the apart one at 250 on one line", at(0), at(1), at(2), 60+p)
	}

	// Room for the two leads, not the apart one beside them: it takes a
	// line of its own, still at the right.
	l.fit(200)
	if got, want := l.MinSize(objs), fyne.NewSize(150, 60+p); got != want {
		t.Errorf("MinSize at 200 = %v, want two lines %v", got, want)
	}
	l.Layout(objs, fyne.NewSize(200, 60+p))
	if at(1) != fyne.NewPos(60+p, 0) || at(2) != fyne.NewPos(50, 30+p) {
		t.Errorf("at 200: Decline at %v, Cancel at %v; want %v and (50, %v)", at(1), at(2), 60+p, 30+p)
	}

	// Narrower than any two buttons: each on its line, none past the edge.
	objs = []fyne.CanvasObject{box(90, 30), box(90, 30), box(150, 30)}
	l.fit(150)
	l.Layout(objs, fyne.NewSize(150, l.MinSize(objs).Height))
	for i, o := range objs {
		if o.Position().X+o.Size().Width > 150 {
			t.Errorf("at 150: object %d ends at %v, past the edge", i, o.Position().X+o.Size().Width)
		}
		if want := float32(i) * (30 + p); o.Position().Y != want {
			t.Errorf("at 150: object %d on y %v, want line %d (y %v)", i, o.Position().Y, i, want)
		}
	}
}
