//go:build (windows || darwin) && cgo

package scan

import (
	"context"
	"errors"
	"image"
	"sync"

	"github.com/pion/mediadevices/pkg/driver"
	_ "github.com/pion/mediadevices/pkg/driver/camera" // registers DirectShow (Windows) or AVFoundation (macOS) cameras
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
)

// Windows and macOS cameras come through pion/mediadevices' drivers
// (DirectShow, AVFoundation), used directly rather than through its WebRTC
// media-stream layer. Without cgo they are not compiled (camera_none.go).
const cameraSupported = true

func cameraDrivers() []driver.Driver {
	return driver.GetManager().Query(driver.FilterAnd(driver.FilterVideoRecorder(), driver.FilterDeviceType(driver.Camera)))
}

// Cameras lists the cameras the system reported when the program started.
func Cameras() ([]Camera, error) {
	var cams []Camera
	for _, d := range cameraDrivers() {
		name := d.Info().Label
		if name == "" {
			name = d.Info().Name
		}
		cams = append(cams, Camera{ID: d.ID(), Name: name})
	}
	return cams, nil
}

// OpenCamera starts a camera ("" = the first one) at the size nearest 720p.
func OpenCamera(ctx context.Context, id string) (Source, error) {
	drivers := cameraDrivers()
	if len(drivers) == 0 {
		return nil, camErr(KindNoCamera, nil)
	}
	d := drivers[0]
	if id != "" {
		found := driver.GetManager().Query(driver.FilterID(id))
		if len(found) == 0 {
			return nil, camErr(KindNoCamera, errors.New("camera "+id+" is gone"))
		}
		d = found[0]
	}
	if err := d.Open(); err != nil {
		return nil, camErr(classify(err), err)
	}
	rec, ok := d.(driver.VideoRecorder)
	if !ok {
		d.Close()
		return nil, camErr(KindNoCamera, errors.New("not a video recorder"))
	}
	r, err := rec.VideoRecord(nearest720p(d.Properties()))
	if err != nil {
		d.Close()
		return nil, camErr(classify(err), err)
	}
	s := &mdSource{d: d, frames: make(chan image.Image, 1), done: make(chan struct{})}
	s.wg.Add(1)
	go s.pump(r)
	return s, nil
}

// nearest720p picks the camera mode closest in pixel count to 1280×720
// (Windows offers only YUY2 in mediadevices 0.9; macOS decodes for us).
func nearest720p(props []prop.Media) prop.Media {
	best := prop.Media{Video: prop.Video{Width: captureWidth, Height: captureHeight}}
	bestDiff := -1
	for _, p := range props {
		diff := p.Width*p.Height - captureWidth*captureHeight
		if diff < 0 {
			diff = -diff
		}
		if bestDiff < 0 || diff < bestDiff {
			best, bestDiff = p, diff
		}
	}
	return best
}

// mdSource pumps the driver's blocking reader on its own goroutine, keeping
// only the newest frame, so Next can honour ctx.
type mdSource struct {
	d      driver.Driver
	frames chan image.Image // capacity 1: the newest frame
	done   chan struct{}    // closed when pump ends
	err    error            // why pump ended; read after done
	wg     sync.WaitGroup
	once   sync.Once
}

func (s *mdSource) pump(r video.Reader) {
	defer s.wg.Done()
	defer close(s.done)
	for {
		img, release, err := r.Read()
		if err != nil {
			s.err = camErr(classify(err), err)
			return
		}
		frame := copyFrame(img) // the driver refills its buffer
		release()
		select {
		case <-s.frames: // drop the frame nobody took
		default:
		}
		s.frames <- frame
	}
}

func (s *mdSource) Next(ctx context.Context) (image.Image, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case f := <-s.frames:
		return f, nil
	case <-s.done:
		return nil, s.err
	}
}

// Close stops the camera; the driver's reader then ends and pump with it.
func (s *mdSource) Close() error {
	var err error
	s.once.Do(func() {
		err = s.d.Close()
		s.wg.Wait()
	})
	return err
}
