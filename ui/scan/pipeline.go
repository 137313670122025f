package scan

import (
	"context"
	"errors"
	"image"
	"io"
	"sync"
	"sync/atomic"
)

// Scanner reads frames from a source and decodes them until one holds a QR
// code. Capture and decoding run apart: the camera is read as fast as it
// delivers, and the decoder always takes the newest frame, dropping the
// ones it had no time for (desktop.md: decode only the newest; a decoder
// behind the camera must never delay the preview or pile up frames).
type Scanner struct {
	// Preview, when set, is called with every captured frame and the latest
	// hint, on the capture goroutine. It must return quickly: hand the frame
	// to the window (fyne.Do) and return.
	Preview func(frame image.Image, hint Hint)

	// Stats of the last Scan.
	Stats Stats

	// decode reads one frame; tests replace it to control timing.
	decode func(d *Decoder, img image.Image, still bool) (Result, bool)
}

// Stats counts what a scan did with the frames.
type Stats struct {
	Captured, Decoded, Dropped int
}

func decodeFrame(d *Decoder, img image.Image, still bool) (Result, bool) {
	if still {
		return d.Still(img)
	}
	return d.Frame(img)
}

// Scan decodes frames from src until one holds a code, and returns it. It
// returns ErrNoCode when src runs out of frames first, ctx.Err() when ctx
// ends, or the source's error (a *Error for camera problems). Scan returns
// only after it has stopped reading src, so the caller can Close src
// (stopping the camera) right away; Scan itself never closes it.
func (s *Scanner) Scan(ctx context.Context, src Source) (Result, error) {
	decode := s.decode
	if decode == nil {
		decode = decodeFrame
	}
	if st, ok := src.(still); ok && st.Still() {
		return s.scanStills(ctx, src, decode)
	}
	ctx, cancel := context.WithCancel(ctx)
	box := &mailbox{ready: make(chan struct{}, 1)}
	var hint atomic.Int32
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.capture(ctx, src, box, &hint)
	}()
	defer func() {
		cancel()
		wg.Wait()
		s.Stats = box.stats()
	}()

	d := NewDecoder()
	for {
		frame, done, err := box.take()
		switch {
		case frame != nil:
			box.decoded()
			if r, ok := decode(d, frame, false); ok {
				return r, nil
			}
			hint.Store(int32(d.Hint()))
			continue
		case done && errors.Is(err, io.EOF):
			return Result{}, ErrNoCode
		case done:
			return Result{}, err
		}
		select {
		case <-ctx.Done():
			return Result{}, ctx.Err()
		case <-box.ready:
		}
	}
}

// scanStills reads photos and screenshots one by one: each is its own
// scene, so none is dropped, and each gets every strategy.
func (s *Scanner) scanStills(ctx context.Context, src Source, decode func(*Decoder, image.Image, bool) (Result, bool)) (Result, error) {
	s.Stats = Stats{}
	d := NewDecoder()
	for {
		img, err := src.Next(ctx)
		if errors.Is(err, io.EOF) {
			return Result{}, ErrNoCode
		}
		if err != nil {
			return Result{}, err
		}
		s.Stats.Captured++
		s.Stats.Decoded++
		r, ok := decode(d, img, true)
		if s.Preview != nil {
			s.Preview(img, d.Hint())
		}
		if ok {
			return r, nil
		}
	}
}

// capture reads src into the mailbox until src ends or ctx is done.
func (s *Scanner) capture(ctx context.Context, src Source, box *mailbox, hint *atomic.Int32) {
	for {
		frame, err := src.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			box.finish(err)
			return
		}
		box.put(frame)
		if s.Preview != nil {
			s.Preview(frame, Hint(hint.Load()))
		}
	}
}

// mailbox holds the newest captured frame: putting never blocks, and a
// frame nobody took yet is replaced (dropped).
type mailbox struct {
	ready chan struct{} // one pending wake-up for the decoder
	mu    sync.Mutex
	frame image.Image
	done  bool
	err   error
	count Stats
}

func (m *mailbox) put(frame image.Image) {
	m.mu.Lock()
	if m.frame != nil {
		m.count.Dropped++
	}
	m.frame = frame
	m.count.Captured++
	m.mu.Unlock()
	m.wake()
}

func (m *mailbox) finish(err error) {
	m.mu.Lock()
	m.done, m.err = true, err
	m.mu.Unlock()
	m.wake()
}

func (m *mailbox) wake() {
	select {
	case m.ready <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// take returns the newest frame, if any; done and err once the source has
// ended and every frame has been taken.
func (m *mailbox) take() (image.Image, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f := m.frame; f != nil {
		m.frame = nil
		return f, false, nil
	}
	return nil, m.done, m.err
}

func (m *mailbox) decoded() {
	m.mu.Lock()
	m.count.Decoded++
	m.mu.Unlock()
}

func (m *mailbox) stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.count
}
