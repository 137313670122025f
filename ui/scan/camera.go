package scan

import (
	"image"
	"strings"
)

// Camera is a camera the person can choose.
type Camera struct {
	ID   string // what OpenCamera takes: /dev/video0 on Linux, the system's device id elsewhere
	Name string // what the person sees ("Integrated Webcam")
}

// The capture size asked of every camera: 720p is what the decoder and its
// benchmarks are tuned for; cameras that cannot give it give the nearest.
const captureWidth, captureHeight = 1280, 720

// CameraSupported reports whether this build can use cameras at all (the
// scan view then offers only the image paths, and says why).
func CameraSupported() bool { return cameraSupported }

// Cameras() ([]Camera, error) lists the cameras to choose from, and
// OpenCamera(ctx, id) (Source, error) starts one ("" = the first); their
// errors are *Error with the Kind the scan view needs. Each platform has its
// own: camera_linux.go (V4L2), camera_mediadevices.go (Windows, macOS),
// camera_none.go (builds without camera support).

// classify turns a system's camera error text into a Kind, for drivers that
// report errors only as text (DirectShow, AVFoundation through mediadevices).
func classify(err error) Kind {
	s := strings.ToLower(err.Error())
	switch {
	case strings.Contains(s, "denied") || strings.Contains(s, "permission") || strings.Contains(s, "not authorized") || strings.Contains(s, "0x80070005"):
		return KindPermission
	case strings.Contains(s, "busy") || strings.Contains(s, "in use") || strings.Contains(s, "being used") || strings.Contains(s, "0x800700aa"):
		return KindInUse
	case strings.Contains(s, "no such device") || strings.Contains(s, "not found") || strings.Contains(s, "no device"):
		return KindNoCamera
	}
	return KindOther
}

// copyFrame returns a frame that owns its pixels: camera drivers hand out
// buffers they refill, and a Source's frames must stay as they were.
// YCbCr stays YCbCr (the decoder reads its Y plane in place and the preview
// keeps its colour); anything else becomes gray.
func copyFrame(img image.Image) image.Image {
	switch m := img.(type) {
	case *image.YCbCr:
		c := image.NewYCbCr(m.Rect, m.SubsampleRatio)
		for y := m.Rect.Min.Y; y < m.Rect.Max.Y; y++ {
			copy(c.Y[c.YOffset(m.Rect.Min.X, y):][:m.Rect.Dx()], m.Y[m.YOffset(m.Rect.Min.X, y):])
		}
		cw := len(c.Cb) / max(c.CStride, 1)
		for y := 0; y < cw; y++ {
			copy(c.Cb[y*c.CStride:][:c.CStride], m.Cb[y*m.CStride:])
			copy(c.Cr[y*c.CStride:][:c.CStride], m.Cr[y*m.CStride:])
		}
		return c
	}
	p := lumaOf(img)
	g := image.NewGray(image.Rect(0, 0, p.w, p.h))
	for y := 0; y < p.h; y++ {
		copy(g.Pix[y*g.Stride:][:p.w], p.pix[y*p.stride:])
	}
	return g
}

// yuyvFrame converts packed YUYV 4:2:2 (Y0 U Y1 V) into a YCbCr frame.
func yuyvFrame(b []byte, w, h int) (*image.YCbCr, bool) {
	if w <= 0 || h <= 0 || w%2 != 0 || len(b) < w*h*2 {
		return nil, false
	}
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio422)
	for y := 0; y < h; y++ {
		row := b[y*w*2:][:w*2]
		ys := img.Y[y*img.YStride:][:w]
		cb := img.Cb[y*img.CStride:][:w/2]
		cr := img.Cr[y*img.CStride:][:w/2]
		for x := 0; x < w/2; x++ {
			ys[2*x], cb[x], ys[2*x+1], cr[x] = row[4*x], row[4*x+1], row[4*x+2], row[4*x+3]
		}
	}
	return img, true
}
