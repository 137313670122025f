//go:build !linux && !((windows || darwin) && cgo)

package scan

import "context"

// This build has no camera driver: a platform without one, or Windows or
// macOS built without cgo (mediadevices then compiles but finds no camera,
// desktop.md). The scan view says so and offers the image paths.
const cameraSupported = false

// Cameras reports that this build cannot use cameras.
func Cameras() ([]Camera, error) { return nil, camErr(KindUnsupported, nil) }

// OpenCamera reports that this build cannot use cameras.
func OpenCamera(ctx context.Context, id string) (Source, error) {
	return nil, camErr(KindUnsupported, nil)
}
