package scan

import (
	"context"
	"errors"
	"image"
	"io"
	"sync/atomic"
	"testing"

	"github.com/referraldesk/referraldesk/ui/scan/scantest"
)

const link = "https://referrals.example.org/fhir?iss=https%3A%2F%2Freferrals.example.org%2Ffhir&client_id=rd-4711"

// feed is a camera the test drives: each send on frames is one captured
// frame; Next returns as soon as the test sends.
type feed struct {
	frames chan image.Image
	inside atomic.Int32 // goroutines inside Next
}

func newFeed() *feed { return &feed{frames: make(chan image.Image)} }

func (f *feed) Next(ctx context.Context) (image.Image, error) {
	f.inside.Add(1)
	defer f.inside.Add(-1)
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case img, ok := <-f.frames:
		if !ok {
			return nil, io.EOF
		}
		return img, nil
	}
}

func (f *feed) Close() error { return nil }

func TestScanImagesFindsTheCode(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, scantest.Width, scantest.Height))
	var s Scanner
	r, err := s.Scan(context.Background(), NewImages(blank, scantest.Code(link, 6, 0)))
	if err != nil || r.Text != link {
		t.Fatalf("got %q, %v", r.Text, err)
	}
	if s.Stats.Decoded != 2 {
		t.Errorf("decoded %d frames, want 2 (the blank one, then the code)", s.Stats.Decoded)
	}
}

func TestScanImagesWithoutCode(t *testing.T) {
	var s Scanner
	_, err := s.Scan(context.Background(), NewImages(image.NewGray(image.Rect(0, 0, 640, 480))))
	if !errors.Is(err, ErrNoCode) {
		t.Fatalf("got %v, want ErrNoCode", err)
	}
}

// TestScanDropsFramesNeverBlocks holds the decoder on the first frame while
// the camera delivers 50 more: every delivery must go through at once (the
// sends below would deadlock otherwise), and the decoder must then take the
// newest frame, not the backlog.
func TestScanDropsFramesNeverBlocks(t *testing.T) {
	src := newFeed()
	frames := make([]image.Image, 51)
	for i := range frames {
		frames[i] = image.NewGray(image.Rect(0, 0, 32+i, 32)) // its width says which frame it is
	}
	started, release := make(chan struct{}), make(chan struct{})
	var decodedWidths []int
	previewed := make(chan int, len(frames))
	s := Scanner{
		Preview: func(frame image.Image, _ Hint) { previewed <- frame.Bounds().Dx() },
		decode: func(_ *Decoder, img image.Image, _ bool) (Result, bool) {
			w := img.Bounds().Dx()
			decodedWidths = append(decodedWidths, w)
			if len(decodedWidths) == 1 {
				close(started)
				<-release
			}
			return Result{Text: "hit"}, w == 32+50
		},
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.Scan(context.Background(), src)
		done <- err
	}()
	src.frames <- frames[0]
	<-started
	for _, f := range frames[1:] {
		src.frames <- f
	}
	for range frames { // every frame reached the preview, the last one too
		<-previewed
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(decodedWidths) != 2 || decodedWidths[1] != 32+50 {
		t.Fatalf("decoded frames of widths %v; want the first, then the newest (82)", decodedWidths)
	}
	if s.Stats.Captured != 51 || s.Stats.Dropped != 49 || s.Stats.Decoded != 2 {
		t.Errorf("stats %+v; want 51 captured, 49 dropped, 2 decoded", s.Stats)
	}
	if n := src.inside.Load(); n != 0 {
		t.Errorf("%d goroutines still inside the source after Scan returned", n)
	}
}

func TestScanStopsWhenCancelled(t *testing.T) {
	src := newFeed()
	ctx, cancel := context.WithCancel(context.Background())
	s := Scanner{decode: func(*Decoder, image.Image, bool) (Result, bool) { return Result{}, false }}
	done := make(chan error, 1)
	go func() {
		_, err := s.Scan(ctx, src)
		done <- err
	}()
	src.frames <- image.NewGray(image.Rect(0, 0, 8, 8))
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if n := src.inside.Load(); n != 0 {
		t.Fatalf("%d goroutines still inside the source after Scan returned", n)
	}
}

type brokenCamera struct{}

func (brokenCamera) Next(context.Context) (image.Image, error) {
	return nil, camErr(KindInUse, errors.New("EBUSY"))
}
func (brokenCamera) Close() error { return nil }

func TestScanReportsCameraErrors(t *testing.T) {
	var s Scanner
	_, err := s.Scan(context.Background(), brokenCamera{})
	if KindOf(err) != KindInUse {
		t.Fatalf("got %v, want a camera-in-use error", err)
	}
}
