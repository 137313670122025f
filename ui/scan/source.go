package scan

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/gif" // screenshots come as any of these
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"sync"
)

// Source delivers frames: a camera, or images for the image paths and tests.
//
// Next blocks until the next frame, ctx ends (returning ctx.Err()) or the
// source has no more frames (io.EOF). The frame belongs to the caller: a
// source never writes into a frame it has returned, so the preview and the
// decoder can hold it while the next one is captured. Close releases the
// device; it may be called once, from any goroutine, after Next returns.
type Source interface {
	Next(ctx context.Context) (image.Image, error)
	Close() error
}

// still is implemented by sources of photos and screenshots: each frame is
// worth every strategy, since there is no next frame of the same scene.
type still interface{ Still() bool }

// Images is a source of images read once each, in order: "Open image…",
// "Paste image" and tests.
type Images struct {
	mu   sync.Mutex
	imgs []image.Image
}

// NewImages returns a source of the given images.
func NewImages(imgs ...image.Image) *Images { return &Images{imgs: imgs} }

// Next returns the next image, or io.EOF after the last.
func (s *Images) Next(ctx context.Context) (image.Image, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.imgs) == 0 {
		return nil, io.EOF
	}
	img := s.imgs[0]
	s.imgs = s.imgs[1:]
	return img, nil
}

func (s *Images) Close() error { return nil }
func (s *Images) Still() bool  { return true }

// maxImageBytes bounds an image file or paste: a phone photo is a few MB.
const maxImageBytes = 64 << 20

// maxPixels bounds a decoded image (a crafted PNG can claim billions of
// pixels in a few bytes): 50 megapixels is more than any phone camera.
const maxPixels = 50_000_000

// ReadImage decodes a PNG, JPEG or GIF image after checking its declared
// size, so a hostile file cannot make Referral Desk allocate gigabytes.
func ReadImage(r io.Reader) (image.Image, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxImageBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxImageBytes {
		return nil, &Error{Kind: KindImageTooBig}
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, &Error{Kind: KindNotImage, Err: err}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return nil, &Error{Kind: KindImageTooLarge, Width: cfg.Width, Height: cfg.Height}
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, &Error{Kind: KindImageDamaged, Err: err}
	}
	return img, nil
}

// ReadImageFile is ReadImage of a file.
func ReadImageFile(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := ReadImage(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}

// DecodeImage reads the QR code in one photo, screenshot or pasted image,
// trying every strategy. It returns ErrNoCode when there is none, and the
// hint for the person with it.
func DecodeImage(img image.Image) (Result, Hint, error) {
	d := NewDecoder()
	if r, ok := d.Still(img); ok {
		return r, HintNone, nil
	}
	return Result{}, d.Hint(), ErrNoCode
}

// DecodeFile reads the QR code in an image file.
func DecodeFile(path string) (Result, error) {
	img, err := ReadImageFile(path)
	if err != nil {
		return Result{}, err
	}
	r, _, err := DecodeImage(img)
	return r, err
}
