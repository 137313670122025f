//go:build linux

package scan

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/blackjack/webcam"
	"golang.org/x/sys/unix"
)

// Linux cameras are V4L2 devices, read with blackjack/webcam (pure Go, no
// extra libraries). MJPEG is asked first: USB-2 webcams give 720p at 30 fps
// only compressed; YUYV is the fallback every UVC camera has.
const cameraSupported = true

const (
	fourccMJPEG webcam.PixelFormat = 'M' | 'J'<<8 | 'P'<<16 | 'G'<<24
	fourccYUYV  webcam.PixelFormat = 'Y' | 'U'<<8 | 'Y'<<16 | 'V'<<24
)

// Cameras lists the video capture devices. A node that is not a capture
// device (UVC cameras add a metadata node) is skipped. When devices exist
// but none may be opened, the error is KindPermission (the user is not in
// the "video" group).
func Cameras() ([]Camera, error) {
	paths, _ := filepath.Glob("/dev/video*")
	sort.Slice(paths, func(i, j int) bool { return videoIndex(paths[i]) < videoIndex(paths[j]) })
	var cams []Camera
	var denied error
	for _, p := range paths {
		cam, err := webcam.Open(p)
		if err != nil {
			if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) {
				denied = err
			}
			continue
		}
		name, err := cam.GetName()
		cam.Close()
		if err != nil || strings.TrimSpace(name) == "" {
			name = filepath.Base(p)
		}
		cams = append(cams, Camera{ID: p, Name: strings.TrimSpace(name)})
	}
	if len(cams) == 0 && denied != nil {
		return nil, camErr(KindPermission, denied)
	}
	return cams, nil
}

func videoIndex(p string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(p), "video"))
	if err != nil {
		return 1 << 30
	}
	return n
}

// OpenCamera starts a V4L2 camera ("" = the first one Cameras lists).
func OpenCamera(ctx context.Context, id string) (Source, error) {
	if id == "" {
		cams, err := Cameras()
		if err != nil {
			return nil, err
		}
		if len(cams) == 0 {
			return nil, camErr(KindNoCamera, nil)
		}
		id = cams[0].ID
	}
	cam, err := webcam.Open(id)
	if err != nil {
		return nil, camErr(linuxKind(err), err)
	}
	s := &v4l2Source{cam: cam}
	if err := s.start(); err != nil {
		cam.Close()
		return nil, err
	}
	return s, nil
}

func linuxKind(err error) Kind {
	switch {
	case errors.Is(err, unix.EBUSY):
		return KindInUse
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return KindPermission
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENODEV), errors.Is(err, unix.ENXIO):
		return KindNoCamera
	}
	if strings.Contains(err.Error(), "Not a video capture device") {
		return KindNoCamera
	}
	return KindOther
}

type v4l2Source struct {
	cam    *webcam.Webcam
	format webcam.PixelFormat
	w, h   int
}

func (s *v4l2Source) start() error {
	formats := s.cam.GetSupportedFormats()
	want := fourccYUYV
	if _, ok := formats[fourccMJPEG]; ok {
		want = fourccMJPEG
	} else if _, ok := formats[fourccYUYV]; !ok {
		return camErr(KindOther, errors.New("the camera offers neither MJPEG nor YUYV"))
	}
	f, w, h, err := s.cam.SetImageFormat(want, captureWidth, captureHeight)
	if err != nil {
		return camErr(linuxKind(err), err)
	}
	s.format, s.w, s.h = f, int(w), int(h)
	// Few buffers: the newest frame matters, not a backlog.
	if err := s.cam.SetBufferCount(4); err != nil {
		return camErr(linuxKind(err), err)
	}
	if err := s.cam.StartStreaming(); err != nil {
		return camErr(linuxKind(err), err)
	}
	return nil
}

// pollMillis bounds how long Next waits inside the driver before looking at
// ctx again.
const pollMillis = 100

// Next returns the next frame, converted out of the driver's buffer.
// Damaged MJPEG frames (common in the first frames after start) are skipped.
func (s *v4l2Source) Next(ctx context.Context) (image.Image, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		err := s.cam.WaitForFrame(pollMillis)
		var timeout *webcam.Timeout
		switch {
		case errors.As(err, &timeout), errors.Is(err, unix.EINTR), errors.Is(err, unix.EAGAIN):
			continue
		case err != nil:
			return nil, camErr(linuxKind(err), err)
		}
		buf, index, err := s.cam.GetFrame()
		if errors.Is(err, unix.EAGAIN) {
			continue
		}
		if err != nil {
			return nil, camErr(linuxKind(err), err)
		}
		img, ok := s.convert(buf)
		if err := s.cam.ReleaseFrame(index); err != nil {
			return nil, camErr(linuxKind(err), err)
		}
		if ok {
			return img, nil
		}
	}
}

// convert decodes or copies a frame while its driver buffer is still ours.
func (s *v4l2Source) convert(buf []byte) (image.Image, bool) {
	if s.format == fourccMJPEG {
		img, err := jpeg.Decode(bytes.NewReader(buf)) // a fresh *image.YCbCr
		return img, err == nil
	}
	return yuyvFrame(buf, s.w, s.h)
}

func (s *v4l2Source) Close() error { return s.cam.Close() }
