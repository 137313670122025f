package scan

import (
	"errors"
	"fmt"

	"github.com/referraldesk/referraldesk/app"
)

// Kind says what went wrong with a camera or a picture, in the terms the
// scan view needs to choose what to offer next.
type Kind int

const (
	KindOther         Kind = iota
	KindNoCamera           // no camera is connected (or the chosen one went away)
	KindInUse              // another program (a video call) is using the camera
	KindPermission         // the system, or the person, did not allow camera access
	KindUnsupported        // this build of Referral Desk has no camera support
	KindNotImage           // a picture that is not a PNG, JPEG or GIF
	KindImageTooBig        // a picture file over maxImageBytes
	KindImageTooLarge      // a picture of more than maxPixels (Width×Height)
	KindImageDamaged       // a picture whose header reads but whose pixels do not
)

var kindNames = [...]string{"failed", "no camera", "camera in use", "camera not allowed", "no camera support",
	"not a PNG, JPEG or GIF image", "image file too big", "image has too many pixels", "image damaged"}

// Error is a camera or picture problem: its Kind, and the system's own error
// for logs and support. app.Explain says it to the case worker (ForApp).
type Error struct {
	Kind          Kind
	Width, Height int // a picture's size, for KindImageTooLarge
	Err           error
}

func (e *Error) Unwrap() error { return e.Err }

// Error returns the technical text, for logs: "camera: camera in use: EBUSY".
func (e *Error) Error() string {
	s := "camera: "
	if e.Kind >= KindNotImage {
		s = "picture: "
	}
	s += kindNames[e.Kind]
	if e.Kind == KindImageTooLarge {
		s += fmt.Sprintf(" (%d×%d pixels, too large)", e.Width, e.Height)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// ErrNoCode means the images were read to the end and held no readable QR code.
var ErrNoCode = errors.New("no QR code found")

// KindOf reports the camera problem in err, or KindOther.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindOther
}

func camErr(k Kind, err error) error { return &Error{Kind: k, Err: err} }

// ForApp is a camera or picture error in the app's vocabulary, for
// App.Explain to say: a problem on this computer, with the reason its
// sentence is kept under (app/sentences.go). ErrNoCode is the caller's to
// say: what it means depends on where the pictures came from.
func ForApp(err error) error {
	if err == nil {
		return nil
	}
	reason, kind := app.ReasonPictureUnread, app.KindLocal
	e := &app.Error{Op: "read a QR code", Err: err}
	switch s := (*Error)(nil); {
	case !errors.As(err, &s):
	case s.Kind == KindNoCamera:
		reason = app.ReasonNoCamera
	case s.Kind == KindInUse:
		reason = app.ReasonCameraInUse
	case s.Kind == KindPermission:
		reason, kind = app.ReasonCameraForbidden, app.KindRefused
	case s.Kind == KindUnsupported:
		reason = app.ReasonNoCameraSupport
	case s.Kind == KindNotImage:
		reason, kind = app.ReasonNotAPicture, app.KindInvalid
	case s.Kind == KindImageTooBig:
		reason, kind, e.N = app.ReasonPictureTooBig, app.KindInvalid, maxImageBytes>>20
	case s.Kind == KindImageTooLarge:
		reason, kind, e.Value = app.ReasonPictureTooLarge, app.KindInvalid, fmt.Sprintf("%d×%d", s.Width, s.Height)
	case s.Kind == KindImageDamaged:
		reason, kind = app.ReasonPictureDamaged, app.KindDamaged
	default:
		reason = app.ReasonCameraStopped
	}
	e.Reason, e.Kind = reason, kind
	return e
}
