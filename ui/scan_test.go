package ui

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/ui/scan"
	"github.com/referraldesk/referraldesk/ui/scan/scantest"
)

// noCameras is a computer without a camera, as under Xvfb.
type noCameras struct{}

func (noCameras) Supported() bool              { return true }
func (noCameras) List() ([]scan.Camera, error) { return nil, nil }
func (noCameras) Open(context.Context, string) (scan.Source, error) {
	return nil, &scan.Error{Kind: scan.KindNoCamera}
}

// fakeCameras are cameras that deliver given frames.
type fakeCameras struct {
	unsupported bool
	listErr     error
	cams        map[string]*fakeCamera
	names       []scan.Camera
}

func (f *fakeCameras) Supported() bool { return !f.unsupported }
func (f *fakeCameras) List() ([]scan.Camera, error) {
	return f.names, f.listErr
}
func (f *fakeCameras) Open(_ context.Context, id string) (scan.Source, error) {
	return f.cams[id], nil
}

// fakeCamera delivers its frames, then ends (io.EOF); when hold is set it
// then waits for the scan to be cancelled, and when repeat is set it keeps
// delivering the last frame, like a live camera pointed at a code.
type fakeCamera struct {
	frames  []image.Image
	hold    bool
	repeat  bool
	i       int
	waiting chan struct{} // closed when it waits for the next frame after the last
	closed  chan struct{}
	once    sync.Once
}

func newFakeCamera(hold bool, frames ...image.Image) *fakeCamera {
	return &fakeCamera{frames: frames, hold: hold, waiting: make(chan struct{}), closed: make(chan struct{})}
}

func (c *fakeCamera) Next(ctx context.Context) (image.Image, error) {
	if c.i < len(c.frames) {
		c.i++
		return c.frames[c.i-1], nil
	}
	if c.repeat && ctx.Err() == nil {
		return c.frames[len(c.frames)-1], nil
	}
	if !c.hold {
		return nil, io.EOF
	}
	close(c.waiting)
	<-ctx.Done()
	return nil, ctx.Err()
}

func (c *fakeCamera) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

func (c *fakeCamera) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// noCodeFrame is a webcam frame with no code in it.
func noCodeFrame() image.Image {
	return scantest.Render(scantest.NoCode, "", rand.New(rand.NewPCG(1, 2)))
}

// fakeClipboard holds an image, a text, or fails.
type fakeClipboard struct {
	img  image.Image
	text string
	err  error
}

func (c *fakeClipboard) Image() (image.Image, error) { return c.img, c.err }
func (c *fakeClipboard) Text() (string, error)       { return c.text, nil }

// connectionLink is a Referral Desk connection link to the test platform,
// with every setting a colleague can pass on.
func connectionLink(h *harness) string {
	link, err := app.ConnectionLink(app.Source{FHIRBase: h.server.FHIRBase(), ClientID: "rd-4711",
		RedirectPort: 53682, Owner: "Organization/cbo-42", Name: "Eastside Referrals"})
	if err != nil {
		h.t.Fatal(err)
	}
	return link
}

// qrFile writes text as a QR code PNG, as a case worker's screenshot would be.
func qrFile(t *testing.T, text string) string {
	t.Helper()
	b, err := scan.QRPNG(text, 400)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func noRequests(t *testing.T, h *harness) {
	t.Helper()
	if r := h.server.Requests(); len(r) != 0 {
		t.Fatalf("the platform was contacted before the case worker confirmed: %s", r[0].Path)
	}
}

func TestScanViewWithoutCameraOffersImages(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	w.showConnect("")
	w.showScan()
	h.settle()
	m := h.markup()
	mustContain(t, m, "No camera was found.", "Open image…", "Paste image", "Cancel")
	mustNotContain(t, m, "Starting the camera…")
	assertGolden(t, "scan-no-camera", m)

	for name, cams := range map[string]*fakeCameras{
		"This version of Referral Desk cannot use a camera.":           {unsupported: true},
		"Referral Desk is not allowed to use the camera.":              {listErr: &scan.Error{Kind: scan.KindPermission}},
		"The camera is being used by another program (a video call?).": {names: []scan.Camera{{ID: "0", Name: "Webcam"}}, cams: map[string]*fakeCamera{}},
	} {
		t.Run(name, func(t *testing.T) {
			w.o.Cameras = cams
			if cams.cams != nil {
				w.o.Cameras = inUse{cams}
			}
			w.showScan()
			h.settle()
			mustContain(t, h.markup(), name, "Open image…", "Paste image")
		})
	}
}

// inUse is a camera another program holds.
type inUse struct{ *fakeCameras }

func (inUse) Open(context.Context, string) (scan.Source, error) {
	return nil, &scan.Error{Kind: scan.KindInUse}
}

func TestOpenImageShowsWhereTheCodeLeads(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	w.showScan()
	h.settle()
	w.openImageFile(qrFile(t, connectionLink(h)))
	h.settle()
	noRequests(t, h)
	c := w.connect
	if w.content() != c.content {
		t.Fatal("after reading a code the window should show the confirmation")
	}
	m := h.markup()
	mustContain(t, m, "Eastside Referrals", "127.0.0.1", "Not encrypted (http)", "Read from the picture you opened. Nothing has been contacted yet")
	if c.clientID.Text != "rd-4711" || c.port.Text != "53682" || c.owner.Text != "Organization/cbo-42" {
		t.Errorf("Advanced is %q %q %q, want the link's settings", c.clientID.Text, c.port.Text, c.owner.Text)
	}
	if !c.cont.Disabled() {
		t.Error("Continue must wait for Check link")
	}
	assertGolden(t, "scan-image-found", m)

	test.Tap(c.check)
	h.settle()
	if c.cont.Disabled() {
		t.Errorf("Check link did not enable Continue: %s", c.problem.Text)
	}
}

func TestImageWithoutCodeSaysSo(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	var b bytes.Buffer
	png.Encode(&b, scantest.Code("https://referrals.example.org/fhir", 1, 0)) // a code far too small to read
	path := filepath.Join(t.TempDir(), "small.png")
	os.WriteFile(path, b.Bytes(), 0o644)
	w.openImageFile(path)
	h.settle()
	m := h.markup()
	mustContain(t, m, "No QR code was found in this picture.")
	if w.connect.link.Text != "" || !w.connect.cont.Disabled() {
		t.Error("a picture without a code must leave nothing to continue with")
	}
	assertGolden(t, "scan-image-none", m)

	notImage := filepath.Join(t.TempDir(), "notes.png")
	os.WriteFile(notImage, []byte("not a picture"), 0o644)
	w.openImageFile(notImage)
	h.settle()
	mustContain(t, h.markup(), "This picture could not be read: this is not a PNG, JPEG or GIF image.")
}

func TestHealthRecordCodeIsExplainedNotFollowed(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	payload := "shlink:/eyJ1cmwiOiJodHRwczovL3NobC5leGFtcGxlLm9yZy9tYW5pZmVzdC8xMjMiLCJmbGFnIjoiUCIsImtleSI6ImFiYyJ9"
	w.openImageFile(qrFile(t, payload))
	h.settle()
	m := h.markup()
	mustContain(t, m, "This QR code is a SMART Health Link: a personal health record, not a referral platform. Referral Desk does not open it.")
	mustNotContain(t, m, "eyJ1cmwi")
	if w.connect.link.Text != "" {
		t.Errorf("the health record reached the link field: %q", w.connect.link.Text)
	}
	assertGolden(t, "scan-health-record", m)
	noRequests(t, h)
}

func TestPasteImageAndPastedLink(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	link := connectionLink(h)
	code, _ := scan.QRImage(link, 300)
	cases := []struct {
		clip *fakeClipboard
		want string
	}{
		{&fakeClipboard{img: code}, "Read from the picture you pasted."},
		{&fakeClipboard{text: " " + link + "\n"}, "Read from the link you copied."},
		{&fakeClipboard{text: "shc:/567629095243206034602924374044603122295953265460346029254077280433602870286471674522280928613331456437653141590640220306450459085643550341424541364037063665417137241236380304375622046737407532323925433443326057360106452931611232742528435076507212"}, "SMART Health Card"},
		{&fakeClipboard{}, "The clipboard holds no picture and no link."},
		{&fakeClipboard{err: &clipboardError{io.ErrUnexpectedEOF}}, "Referral Desk cannot read the clipboard on this computer."},
	}
	for _, tc := range cases {
		w.o.Clipboard = tc.clip
		w.pasteImage()
		h.settle()
		mustContain(t, h.markup(), tc.want)
	}
	noRequests(t, h)
}

func TestTypedLinksGoThroughTheSameCheck(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	w.showConnect("")
	test.Type(w.connect.link, "https://аpple.com/fhir") // Cyrillic а
	if w.connect.linkOK || w.connect.problem.Hidden {
		t.Error("a look-alike server name was accepted when typed")
	}
	w.connect.link.SetText(connectionLink(h))
	if w.connect.clientID.Text != "rd-4711" {
		t.Errorf("a typed connection link did not fill Advanced: client id %q", w.connect.clientID.Text)
	}
	// Another platform's link must not inherit this platform's client id.
	w.connect.link.SetText("https://referrals.example.org/fhir")
	if w.connect.clientID.Text != "" || w.connect.port.Text != "" || w.connect.owner.Text != "" {
		t.Errorf("another platform's link kept Advanced %q %q %q from the previous link", w.connect.clientID.Text, w.connect.port.Text, w.connect.owner.Text)
	}
	noRequests(t, h)
}

func TestCameraScanStopsTheCameraOnAHit(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	link := connectionLink(h)
	blank := noCodeFrame()
	code := scantest.Code(link, 6, 0)
	cam := newFakeCamera(false, blank, blank, code)
	cam.repeat = true // decoding strategies take turns: some frame gets the one that reads it
	w.o.Cameras = &fakeCameras{names: []scan.Camera{{ID: "cam", Name: "Webcam"}}, cams: map[string]*fakeCamera{"cam": cam}}
	w.showScan()
	h.settle()
	if !cam.isClosed() {
		t.Error("the camera was not closed after the hit")
	}
	if w.scan != nil {
		t.Errorf("the scan view is still open: %s", visible(h.markup()))
	}
	mustContain(t, h.markup(), "Eastside Referrals", "Read from the camera.")
	noRequests(t, h)
}

func TestCameraPreviewShowsNewestFrameAndCancelClosesCamera(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: -1})
	w := h.open(nil)
	w.showConnect("")
	front := newFakeCamera(true, noCodeFrame(), noCodeFrame())
	back := newFakeCamera(true)
	w.o.Cameras = &fakeCameras{
		names: []scan.Camera{{ID: "front", Name: "Integrated Webcam"}, {ID: "back", Name: "USB Camera"}},
		cams:  map[string]*fakeCamera{"front": front, "back": back}}
	w.showScan()
	h.runWork() // lists the cameras
	h.runUI(-1) // starts the first: its scan is queued
	if len(h.work) != 1 {
		t.Fatalf("%d background jobs queued, want the scan", len(h.work))
	}
	scanJob := h.work[0]
	h.work = nil
	done := make(chan struct{})
	go func() { defer close(done); scanJob() }() // a live camera runs until cancelled
	<-front.waiting                              // every frame captured and offered
	h.runUI(-1)
	v := w.scan
	img, ok := v.preview.Image.(*image.RGBA)
	if !ok || img.Rect.Dx() != previewWidth || v.live.Hidden {
		t.Fatalf("the preview shows %T %v, want the newest frame at %d px", v.preview.Image, v.preview.Image, previewWidth)
	}
	if v.preview.ScaleMode != canvas.ImageScaleFastest {
		t.Error("the preview must use the fastest scaling")
	}
	m := h.markup()
	mustContain(t, m, "Integrated Webcam", "Cancel")
	if v.choose.Hidden {
		t.Error("two cameras, but no camera choice")
	}

	test.Tap(findButton(t, w, "Cancel"))
	<-done
	if !front.isClosed() {
		t.Error("Cancel did not close the camera")
	}
	h.settle()
	if w.content() != w.connect.content || w.scan != nil {
		t.Error("Cancel did not go back to the connect screen")
	}
}

func TestShowQR(t *testing.T) {
	h := newHarness(t, fhirtest.Options{Referrals: 3})
	h.connect()
	h.sync()
	h.open(nil)
	tapPlatformMenu(t, h, "Show QR code…")
	h.settle()
	link, err := app.ConnectionLink(h.source)
	if err != nil {
		t.Fatal(err)
	}
	m := h.markup()
	mustContain(t, m, "connection QR code", "never a password", "Save as PNG…")
	if !strings.Contains(strings.ReplaceAll(visible(m), " ", ""), link) { // wrapped over several lines
		t.Errorf("the dialog does not show the link %s", link)
	}
	assertGolden(t, "show-qr", normalizeClient(m, h.source.ClientID))

	b, err := scan.QRPNG(link, 512) // what Save as PNG writes
	if err != nil {
		t.Fatal(err)
	}
	img, err := scan.ReadImage(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := scan.DecodeImage(img)
	if err != nil || r.Text != link {
		t.Fatalf("the saved QR code reads %q (%v), want %q", r.Text, err, link)
	}
	back, err := app.ParseConnectionText(r.Text)
	if err != nil || back.Options.ClientID != h.source.ClientID || back.Link.FHIRBase != h.source.FHIRBase {
		t.Fatalf("the QR code's link reads back as %+v (%v)", back.Options, err)
	}
}

var redirectPort = regexp.MustCompile(`redirect_port=\d+`)

// normalizeClient replaces the client id the platform registered (it differs per run).
func normalizeClient(m, clientID string) string {
	if clientID == "" {
		return m
	}
	m = strings.ReplaceAll(m, clientID, "CLIENT")
	return redirectPort.ReplaceAllString(m, "redirect_port=PORT")
}

// findButton finds the first visible button with a label, in the window and its dialogs.
func findButton(t *testing.T, w *Window, label string) *widget.Button {
	t.Helper()
	c := w.win.Canvas()
	roots := append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
	for _, root := range roots {
		for _, o := range test.LaidOutObjects(root) {
			if b, ok := o.(*widget.Button); ok && b.Text == label && b.Visible() {
				return b
			}
		}
	}
	t.Fatalf("no %q button on screen", label)
	return nil
}
