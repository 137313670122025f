package ui

import (
	"context"
	"errors"
	"image"
	"image/color"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/ui/scan"
)

// Cameras is the camera layer the scan view uses: this computer's cameras
// (package scan), or frames from files in tests.
type Cameras interface {
	Supported() bool
	List() ([]scan.Camera, error)
	Open(ctx context.Context, id string) (scan.Source, error)
}

type systemCameras struct{}

func (systemCameras) Supported() bool              { return scan.CameraSupported() }
func (systemCameras) List() ([]scan.Camera, error) { return scan.Cameras() }
func (systemCameras) Open(ctx context.Context, id string) (scan.Source, error) {
	return scan.OpenCamera(ctx, id)
}

// previewWidth is the preview's width in pixels: a 720p frame sampled every
// second pixel, drawn with the fastest scaling (desktop.md: smooth scaling
// of full frames costs a whole core).
const previewWidth = 640

// scanView reads a QR code with the camera: a live preview with the target
// box, a hint when the code does not read, the camera choice, and Cancel. A
// hit stops the camera and shows the link on the connect screen for
// confirmation. Without a usable camera it says why and offers the image
// paths instead.
type scanView struct {
	w        *Window
	content  fyne.CanvasObject
	status   *widget.Label
	problem  *fyne.Container // the camera problem and the image paths
	say      *widget.Label
	choose   *widget.Select
	preview  *canvas.Image
	hint     *widget.Label
	live     *fyne.Container
	cameras  []scan.Camera
	run      *scanRun // the scan under way
	choosing bool     // setting the camera list, not a choice by the case worker
}

// scanRun is one camera scan: its cancel stops it, and the newest preview
// frame waits in it for the UI goroutine.
type scanRun struct {
	cancel  context.CancelFunc
	mu      sync.Mutex
	frame   *image.RGBA
	hint    scan.Hint
	pending bool // a UI update is queued that will take frame
}

// showScan opens the scan view and starts the first camera.
func (w *Window) showScan() {
	w.stopScan()
	v := newScanView(w)
	w.scan = v
	w.setContent(v.content)
	cams := w.o.Cameras
	w.background(func(context.Context) func() {
		var list []scan.Camera
		var err error = &scan.Error{Kind: scan.KindUnsupported}
		if cams.Supported() {
			if list, err = cams.List(); err == nil && len(list) == 0 {
				err = &scan.Error{Kind: scan.KindNoCamera}
			}
		}
		return func() {
			if w.scan != v {
				return
			}
			if err != nil {
				v.failed(scan.ForApp(err))
				return
			}
			v.setCameras(list)
			v.start(list[0].ID)
		}
	})
}

func newScanView(w *Window) *scanView {
	v := &scanView{w: w}
	v.status = &widget.Label{Text: "Starting the camera…", Importance: widget.LowImportance}
	v.say = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}
	v.problem = container.NewVBox(
		container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.WarningIcon())), nil, v.say),
		wrapLabel("You can read the QR code from a picture instead: a photo or screenshot of it, or one you copied."),
		container.NewHBox(
			widget.NewButtonWithIcon("Open image…", theme.FolderOpenIcon(), w.openImage),
			widget.NewButtonWithIcon("Paste image", theme.ContentPasteIcon(), w.pasteImage)),
	)
	v.problem.Hide()
	v.choose = widget.NewSelect(nil, v.chosen)
	v.choose.Hide()
	v.preview = &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScaleFastest}
	v.preview.SetMinSize(fyne.NewSize(480, 270))
	back := canvas.NewRectangle(color.Black)
	v.hint = &widget.Label{Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	v.live = container.NewVBox(container.NewStack(back, v.preview), v.hint)
	v.live.Hide()
	v.content = column(680, container.NewVBox(
		&widget.Label{Text: "Scan the platform's QR code", SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}},
		wrapLabel("Hold the printout or the phone screen up to the camera, with the code inside the box. Nothing is contacted until you have checked where the link leads."),
		v.choose,
		v.status,
		v.live,
		v.problem,
		container.NewHBox(widget.NewButton("Cancel", w.leaveScan)),
	))
	return v
}

// leaveScan stops the camera and goes back to the connect screen as it was.
func (w *Window) leaveScan() {
	w.stopScan()
	w.setContent(w.connect.content)
}

// stopScan stops the camera scan, if any: the scan's goroutine closes the
// camera as soon as it has stopped reading it.
func (w *Window) stopScan() {
	if w.scan == nil {
		return
	}
	w.scan.stop()
	w.scan = nil
}

func (v *scanView) stop() {
	if v.run != nil {
		v.run.cancel()
		v.run = nil
	}
}

// failed says, in plain words (App.Explain), why the camera cannot be used,
// and offers the image paths.
func (v *scanView) failed(err error) {
	v.stop()
	v.status.Hide()
	v.live.Hide()
	v.say.SetText(v.w.a.Explain(err))
	reveal(v.problem)
}

func (v *scanView) setCameras(list []scan.Camera) {
	v.cameras = list
	if len(list) < 2 {
		return
	}
	names := make([]string, len(list))
	for i, c := range list {
		names[i] = c.Name
	}
	v.choosing = true
	v.choose.Options = names
	v.choose.SetSelectedIndex(0)
	v.choosing = false
	v.choose.Show()
}

func (v *scanView) chosen(string) {
	if v.choosing {
		return
	}
	if i := v.choose.SelectedIndex(); i >= 0 && i < len(v.cameras) {
		v.start(v.cameras[i].ID)
	}
}

// start opens a camera and scans until a code reads, the view closes or
// another camera is chosen. It runs outside background(): a scan lasts as
// long as the view is open, and screenshots wait for background work.
func (v *scanView) start(id string) {
	v.stop()
	ctx, cancel := context.WithCancel(v.w.ctx)
	run := &scanRun{cancel: cancel}
	v.run = run
	v.problem.Hide()
	v.status.SetText("Starting the camera…")
	v.status.Show()
	cams, w := v.w.o.Cameras, v.w
	w.o.Go(func() {
		defer cancel()
		src, err := cams.Open(ctx, id)
		if err != nil {
			w.ui(func() { v.ended(run, scan.Result{}, err) })
			return
		}
		s := scan.Scanner{Preview: func(frame image.Image, h scan.Hint) { v.offer(run, frame, h) }}
		r, err := s.Scan(ctx, src)
		src.Close() // Scan has stopped reading it: the camera light goes off now
		w.ui(func() { v.ended(run, r, err) })
	})
}

// offer keeps the newest frame for the preview and queues one UI update
// for it; frames that arrive before that update ran replace it (dropped).
// It runs on the capture goroutine and returns at once.
func (v *scanView) offer(run *scanRun, frame image.Image, h scan.Hint) {
	small := previewImage(frame)
	run.mu.Lock()
	run.frame, run.hint = small, h
	queue := !run.pending
	run.pending = true
	run.mu.Unlock()
	if queue {
		v.w.ui(func() { v.showFrame(run) })
	}
}

// showFrame puts the newest frame and hint on screen (UI goroutine).
func (v *scanView) showFrame(run *scanRun) {
	run.mu.Lock()
	frame, h := run.frame, run.hint
	run.frame, run.pending = nil, false
	run.mu.Unlock()
	if v.run != run || frame == nil {
		return
	}
	v.status.Hide()
	if v.live.Hidden {
		reveal(v.live)
	}
	v.preview.Image = frame
	v.preview.Refresh()
	v.hint.SetText(h.Say())
}

// ended handles the end of a scan (UI goroutine): a hit goes to the
// confirmation; a camera problem is explained.
func (v *scanView) ended(run *scanRun, r scan.Result, err error) {
	if v.run != run || v.w.scan != v {
		return // cancelled, or another camera was chosen
	}
	switch {
	case err == nil:
		v.w.stopScan()
		v.w.useScanned(r.Text, "the camera")
	case errors.Is(err, context.Canceled):
	case errors.Is(err, scan.ErrNoCode):
		v.failed(&app.Error{Op: "scan with the camera", Kind: app.KindNotFound, Reason: app.ReasonCameraNoFrames, Err: err})
	default:
		v.failed(scan.ForApp(err))
	}
}

// reveal shows a container that was hidden: a container lays its objects
// out again only when refreshed.
func reveal(c *fyne.Container) {
	c.Show()
	c.Refresh()
}

// previewImage samples a frame down to previewWidth as RGBA (nearest
// pixel: the preview only aims the code) and draws the target box on it.
func previewImage(frame image.Image) *image.RGBA {
	b := frame.Bounds()
	step := max(1, (b.Dx()+previewWidth-1)/previewWidth)
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()/step, b.Dy()/step))
	for y := 0; y < out.Rect.Dy(); y++ {
		row := out.Pix[y*out.Stride:]
		sy := b.Min.Y + y*step
		for x := 0; x < out.Rect.Dx(); x++ {
			sx := b.Min.X + x*step
			var r, g, bl uint8
			switch m := frame.(type) {
			case *image.YCbCr:
				yi, ci := m.YOffset(sx, sy), m.COffset(sx, sy)
				r, g, bl = color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
			case *image.Gray:
				v := m.Pix[m.PixOffset(sx, sy)]
				r, g, bl = v, v, v
			default:
				c := color.RGBAModel.Convert(frame.At(sx, sy)).(color.RGBA)
				r, g, bl = c.R, c.G, c.B
			}
			p := row[x*4:]
			p[0], p[1], p[2], p[3] = r, g, bl, 0xff
		}
	}
	drawBox(out, scan.TargetBox(out.Rect), color.RGBA{0x2e, 0xd8, 0x73, 0xff})
	return out
}

// drawBox draws a 2-pixel outline of r.
func drawBox(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	for t := 0; t < 2; t++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, r.Min.Y+t, c)
			img.SetRGBA(x, r.Max.Y-1-t, c)
		}
		for y := r.Min.Y; y < r.Max.Y; y++ {
			img.SetRGBA(r.Min.X+t, y, c)
			img.SetRGBA(r.Max.X-1-t, y, c)
		}
	}
}
