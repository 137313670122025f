package scan

import (
	"errors"
	"fmt"
)

// Kind says what went wrong with a camera, in the terms the scan view needs
// to choose what to offer next.
type Kind int

const (
	KindOther       Kind = iota
	KindNoCamera         // no camera is connected (or the chosen one went away)
	KindInUse            // another program (a video call) is using the camera
	KindPermission       // the system, or the person, did not allow camera access
	KindUnsupported      // this build of Referral Desk has no camera support
)

// Error is a camera problem with a sentence for the case worker; Err keeps
// the system's own error for logs and support.
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	switch e.Kind {
	case KindNoCamera:
		return "No camera was found. Connect a camera, or open a photo or screenshot of the QR code instead."
	case KindInUse:
		return "The camera is being used by another program (a video call?). Close it and try again, or open a photo of the QR code instead."
	case KindPermission:
		return "Referral Desk is not allowed to use the camera. Allow camera access in the system settings, or open a photo of the QR code instead."
	case KindUnsupported:
		return "This version of Referral Desk cannot use a camera. Open a photo or screenshot of the QR code, or paste one."
	}
	if e.Err != nil {
		return fmt.Sprintf("The camera stopped working (%v). Try again, or open a photo of the QR code instead.", e.Err)
	}
	return "The camera stopped working. Try again, or open a photo of the QR code instead."
}

// ErrNoCode means the images were read to the end and held no readable QR code.
var ErrNoCode = errors.New("no QR code could be read. Try a sharper photo, with the whole code in the picture")

// KindOf reports the camera problem in err, or KindOther.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindOther
}

func camErr(k Kind, err error) error { return &Error{Kind: k, Err: err} }
