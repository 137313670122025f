package app

import (
	"errors"
	"strconv"
	"strings"

	"github.com/referraldesk/referraldesk/auth"
	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/storage"
)

// This file is where errors become the sentences a case worker reads: from
// an error's Reason and details when it has them, else from its Kind and
// what the platform said. (The sentences of sign-in failures are in auth's
// one table, auth/sentences.go, which this reads.)

// Reason says why an Error happened, in a few technical words (part of
// Error(), for logs), and is the key to its sentence.
type Reason string

// Reasons the app gives.
const (
	reasonDataFolder       Reason = "data folder not opened"
	reasonNoSuchReferral   Reason = "no such referral"
	reasonAmbiguousTask    Reason = "referral id on several platforms"
	reasonCannotMove       Reason = "status move not allowed"
	reasonNeedsReason      Reason = "no reason given"
	reasonEarlierNotSent   Reason = "an earlier change was not sent"
	reasonKeptTheirs       Reason = "kept the platform's version"
	reasonAppliedAgain     Reason = "applied again on the platform's version"
	reasonNoConflict       Reason = "change not in conflict"
	reasonTaskUnreadable   Reason = "task not readable"
	reasonNoVersion        Reason = "task has no version"
	reasonConflict         Reason = "changed on the platform first"
	reasonConflictNow      Reason = "changed on the platform first, to another status"
	reasonSettingsDamaged  Reason = "saved sign-in settings damaged"
	reasonSignInAgain      Reason = "sign-in needed"
	reasonKeepReceiving    Reason = "sign in to keep receiving"
	reasonGoesOutLater     Reason = "saved, sent later"
	reasonNotAReference    Reason = "owner is not a reference"
	reasonNoRegistration   Reason = "no client id and no registration"
	reasonWhoUnknown       Reason = "no fhirUser"
	reasonRoleUnread       Reason = "PractitionerRole not read"
	reasonRoleUndecodable  Reason = "PractitionerRole not decoded"
	reasonOwnerType        Reason = "fhirUser cannot own referrals"
	reasonLinkInvalid      Reason = "not a valid URL"
	reasonHostInvalid      Reason = "host is not a valid internet name"
	reasonUnknownHost      Reason = "no server by that name"
	reasonNoBrowser        Reason = "browser did not open the sign-in page"
	reasonLinkParamTwice   Reason = "connection link parameter given twice"
	reasonLinkClientID     Reason = "connection link client_id invalid"
	reasonLinkPort         Reason = "connection link redirect_port invalid"
	reasonLinkOwner        Reason = "connection link owner invalid"
	reasonLinkName         Reason = "connection link name empty, damaged or too long"
	reasonLinkNameHidden   Reason = "connection link name has hidden characters"
	reasonClientIDTyped    Reason = "client id invalid"
	reasonNameTyped        Reason = "platform name empty, hidden characters or too long"
	reasonHealthLink       Reason = "SMART Health Link"
	reasonHealthCard       Reason = "SMART Health Card"
	reasonMixedScripts     Reason = "host mixes scripts"
	reasonLookalikeScript  Reason = "host in look-alike letters"
	reasonInternalWithLog  Reason = "internal, logged"
	reasonInternalNoLog    Reason = "internal"
	reasonDemoPlatformDown Reason = "demo platform did not start"
	reasonWeakPassphrase   Reason = "passphrase too weak"
	reasonProtectedAlready Reason = "data protected already"
	reasonNotProtected     Reason = "data not protected"
	reasonNotProtectedYet  Reason = "data has no passphrase yet"
	reasonWrongPassphrase  Reason = "wrong passphrase"
	reasonLocked           Reason = "data locked"
	reasonBackupUnread     Reason = "backup file not read"
	reasonNotABackup       Reason = "not a backup"
	reasonBackupDamaged    Reason = "backup damaged"
)

// Reasons the command line and the window give, in the app's words.
const (
	ReasonNoDataFolder     Reason = "no data folder"
	ReasonUsage            Reason = "command line not understood"
	ReasonNoSuchPlatform   Reason = "no such platform"
	ReasonNoPlatforms      Reason = "no platform connected"
	ReasonSyncFailed       Reason = "sync failed"
	ReasonNotSent          Reason = "change not sent"
	ReasonNoDisplay        Reason = "window did not open"
	ReasonFilesWithout     Reason = "files without a QR code"
	ReasonNoCodeInFile     Reason = "no QR code in the file"
	ReasonNoCodeInPicture  Reason = "no QR code in the picture"
	ReasonPictureTooBig    Reason = "picture file too big"
	ReasonPictureTooLarge  Reason = "picture has too many pixels"
	ReasonNotAPicture      Reason = "not a PNG, JPEG or GIF"
	ReasonPictureDamaged   Reason = "picture damaged"
	ReasonPictureUnread    Reason = "picture not read"
	ReasonNoCamera         Reason = "no camera"
	ReasonCameraInUse      Reason = "camera in use"
	ReasonCameraForbidden  Reason = "camera not allowed"
	ReasonNoCameraSupport  Reason = "no camera support"
	ReasonCameraStopped    Reason = "camera stopped"
	ReasonCameraNoFrames   Reason = "camera sent no pictures"
	ReasonNoCodeTrySharper Reason = "no QR code in the picture, no hint"
	ReasonNoClipboard      Reason = "clipboard unavailable"
	ReasonClipboardEmpty   Reason = "clipboard holds no picture or link"
	ReasonQRNotSaved       Reason = "QR code not saved"
	ReasonQRNotMade        Reason = "QR code not made"
	ReasonQRTooLong        Reason = "link too long for a QR code"
	ReasonRedirectPort     Reason = "redirect port not 1024-65535"
	ReasonSignInCancelled  Reason = "sign-in cancelled by the person"
)

const (
	askNewLink    = " Ask for a new link."
	notOpened     = " Referral Desk will not open it. Ask the platform for its link."
	giveTheOwner  = " Connect again and give the owner (for example Organization/123)."
	orOpenAPhoto  = " Try again, or open a photo of the QR code instead."
	choosePicture = " Choose a PNG, JPEG or GIF picture of the QR code."
)

// sentences are what a case worker reads for each Reason. The details of the
// Error fill in {platform}, {value}, {quoted} (the value in quotes), {status},
// {to}, {action}, {host}, {path}, {list} (comma-separated), {alphabets}
// ("Latin and Cyrillic"), {n}, {of}, {log} (where the log file is) and
// {cause} (the sentence of the error it wraps).
var sentences = map[Reason]string{
	ReasonNoDataFolder:     "Referral Desk has no data folder: give --data-dir.",
	reasonDataFolder:       "Referral Desk could not open its data in {path}.",
	reasonNoSuchReferral:   "No referral {quoted} here. Sync first, or check the id.",
	reasonAmbiguousTask:    "Several platforms have a referral {quoted}; say which: {list}.",
	reasonCannotMove:       "A referral that is {status} cannot be moved to {to}.",
	reasonNeedsReason:      "Say why ({action} needs a reason the requester will see).",
	reasonEarlierNotSent:   "Not sent: the change before it, made on this referral here, was not sent.",
	reasonKeptTheirs:       "Not sent: you kept the platform's version.",
	reasonAppliedAgain:     "Sent again, on top of the platform's version.",
	reasonNoConflict:       "This change is not in conflict with the platform.",
	reasonTaskUnreadable:   "This referral's data on the platform could not be read, so the change was not sent.",
	reasonNoVersion:        "The platform gave this referral no version number, so Referral Desk cannot be sure the change would not overwrite someone else's, and did not send it. Tell the requester, or make the change on the platform itself.",
	reasonConflict:         "Someone changed this referral on the platform after you opened it. Your change ({action}) was not sent. Look at the referral again and decide.",
	reasonConflictNow:      "Someone changed this referral on the platform after you opened it (it is now {status}). Your change ({action}) was not sent. Look at the referral again and decide.",
	reasonSettingsDamaged:  "The saved settings of {platform} are damaged. Connect to it again.",
	reasonSignInAgain:      "{platform} needs you to sign in again.",
	reasonKeepReceiving:    "Sign in again to keep receiving referrals; nothing you have here is lost.",
	reasonGoesOutLater:     "It is saved here and goes out by itself as soon as the platform can be reached.",
	reasonNotAReference:    "{quoted} is not a reference like Organization/123.",
	reasonNoRegistration:   "This platform does not let apps register themselves. Ask the platform for a client id for Referral Desk and enter it under Advanced.",
	reasonWhoUnknown:       "The platform did not say who you are, so Referral Desk cannot tell which referrals are yours." + giveTheOwner,
	reasonRoleUnread:       "Referral Desk could not read your role on the platform to find your organization. {cause}",
	reasonRoleUndecodable:  "Your role on the platform could not be read.",
	reasonOwnerType:        "You are signed in as {value}, which cannot own referrals." + giveTheOwner,
	reasonLinkInvalid:      "This is not a valid web link. Copy it again from the platform.",
	reasonHostInvalid:      "This link's server name is not a valid internet name. Copy it again from the platform.",
	reasonUnknownHost:      "No server called {value} could be found. Check the link for typing mistakes (or ask the platform for it again), and check that this computer is online.",
	reasonNoBrowser:        "Your web browser did not open by itself. Open this address in a web browser to sign in; Referral Desk keeps waiting:",
	reasonLinkParamTwice:   "This connection link gives {value} more than once." + askNewLink,
	reasonLinkClientID:     "This connection link's client id has characters a client id never has." + askNewLink,
	reasonLinkPort:         "This connection link's redirect port is not a number from 1024 to 65535." + askNewLink,
	reasonLinkOwner:        "This connection link's owner is not a reference like Organization/123." + askNewLink,
	reasonLinkName:         "This connection link's platform name is empty, damaged or longer than {n} characters." + askNewLink,
	reasonLinkNameHidden:   "This connection link's platform name contains hidden or invisible characters." + askNewLink,
	reasonClientIDTyped:    "{quoted} cannot be a client id: it has spaces or characters a client id never has. Copy it again from the platform.",
	reasonNameTyped:        "A platform's name must be printable, without hidden characters, and at most {n} characters long.",
	reasonHealthLink:       "This QR code is a SMART Health Link: a personal health record, not a referral platform. Referral Desk does not open it. Ask the referral platform for its connection link.",
	reasonHealthCard:       "This QR code is a SMART Health Card (a vaccination or test record, for example): a personal health record, not a referral platform. Referral Desk does not open it. Ask the referral platform for its connection link.",
	reasonMixedScripts:     "This link's server name mixes alphabets ({alphabets}), a trick to imitate another site's name; its real name is {host}." + notOpened,
	reasonLookalikeScript:  "This link's server name is written in letters that only look like English ones; its real name is {host}." + notOpened,
	reasonInternalWithLog:  "Something went wrong inside Referral Desk; the details are in the log file {log}.",
	reasonInternalNoLog:    "Something went wrong inside Referral Desk.",
	reasonDemoPlatformDown: "The demo platform could not start at {value}; another program may be using that address.",
	reasonWeakPassphrase:   "{value}",
	reasonProtectedAlready: "This data is protected by a passphrase already.",
	reasonNotProtected:     "The data in {path} could not be protected; nothing was changed. Check the free disk space and try again.",
	reasonNotProtectedYet:  "This data has no passphrase yet: open Referral Desk to set one.",
	reasonWrongPassphrase:  "That passphrase (or recovery key) does not open this data. Check it and try again.",
	reasonLocked:           "Referral Desk is locked. Unlock it with your passphrase.",
	reasonBackupUnread:     "The backup {path} could not be read.",
	reasonNotABackup:       "{path} is not a Referral Desk backup. Nothing was changed.",
	reasonBackupDamaged:    "The backup {path} is damaged or incomplete, so it was not restored. Nothing was changed.",

	ReasonUsage:            "{value} (see 'referraldesk help')",
	ReasonNoSuchPlatform:   "No platform {n} is connected here: see 'referraldesk sources'.",
	ReasonNoPlatforms:      "No platform is connected yet: run 'referraldesk connect URL' first.",
	ReasonSyncFailed:       "Sync failed for {list}.",
	ReasonNotSent:          "{value}", // Outcome.Message
	ReasonNoDisplay:        "The window could not open on this display: {value}",
	ReasonFilesWithout:     "{n} of {of} files had no readable QR code.",
	ReasonNoCodeInFile:     "No QR code could be read in {path}. Try a sharper picture with the whole code in it.",
	ReasonNoCodeInPicture:  "No QR code was found in this picture. {value}",
	ReasonPictureTooBig:    "This picture could not be read: this image is larger than {n} MB." + choosePicture,
	ReasonPictureTooLarge:  "This picture could not be read: this image is {value} pixels, too large to read." + choosePicture,
	ReasonNotAPicture:      "This picture could not be read: this is not a PNG, JPEG or GIF image." + choosePicture,
	ReasonPictureDamaged:   "This picture could not be read: this image is damaged." + choosePicture,
	ReasonPictureUnread:    "This picture could not be opened." + choosePicture,
	ReasonNoCamera:         "No camera was found. Connect a camera, or open a photo or screenshot of the QR code instead.",
	ReasonCameraInUse:      "The camera is being used by another program (a video call?). Close it and try again, or open a photo of the QR code instead.",
	ReasonCameraForbidden:  "Referral Desk is not allowed to use the camera. Allow camera access in the system settings, or open a photo of the QR code instead.",
	ReasonNoCameraSupport:  "This version of Referral Desk cannot use a camera. Open a photo or screenshot of the QR code, or paste one.",
	ReasonCameraStopped:    "The camera stopped working." + orOpenAPhoto,
	ReasonCameraNoFrames:   "The camera stopped sending pictures. Try again, or read the QR code from a picture.",
	ReasonNoCodeTrySharper: "No QR code was found in this picture. Try a sharper picture, with the whole code in it.",
	ReasonNoClipboard:      "Referral Desk cannot read the clipboard on this computer. Save the picture of the QR code to a file and use Open image… instead.",
	ReasonClipboardEmpty:   "The clipboard holds no picture and no link. Copy the QR code's picture (or the link) and press Paste image again.",
	ReasonQRNotSaved:       "The QR code could not be saved. Choose another folder, or check the free disk space.",
	ReasonQRNotMade:        "This platform's link cannot be shown as a QR code: {cause}",
	ReasonQRTooLong:        "It holds too much to fit in one.",
	ReasonRedirectPort:     "The redirect port must be a number from 1024 to 65535, as the platform registered it.",
	ReasonSignInCancelled:  "Sign-in cancelled. Nothing was saved; you can try again.",
}

// sentence is Explain's work; log names the log file for the fallback ("":
// none is known).
func sentence(err error, log string) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		switch {
		case e.Reason != "":
			return e.fill(sentences[e.Reason], log)
		case e.Err != nil && e.Kind == KindOther:
			return sentence(e.Err, log)
		}
	}
	var ae *auth.Error
	if errors.As(err, &ae) && ae.Sentence() != "" {
		return ae.Sentence()
	}
	return kindSentence(err, KindOf(err), log)
}

// kindSentence says what an error of kind k means, with what the platform
// said when it said something (its OperationOutcome).
func kindSentence(err error, k Kind, log string) string {
	fk := fhir.KindOf(err)
	say := func(s string) string {
		if outcome := fhir.OutcomeOf(err); outcome != "" {
			return s + " The platform said: " + outcome
		}
		return s
	}
	switch k {
	case KindCanceled:
		return "Stopped."
	case KindOffline:
		return "The platform could not be reached. Check the internet connection; Referral Desk will try again."
	case KindTemporary:
		if fk == fhir.KindRateLimited {
			return "The platform asked Referral Desk to slow down; it will try again shortly."
		}
		if fhir.IsSlow(err) {
			return "The platform is very slow to answer right now, so Referral Desk stopped waiting. It will try again; nothing was lost."
		}
		return say("The platform had a problem of its own; Referral Desk will try again.")
	case KindSignInNeeded:
		if fk == fhir.KindUnauthorized {
			return "The platform did not accept the sign-in. Sign in again."
		}
		return "The platform has ended this sign-in. Sign in again; nothing you had here is lost."
	case KindRefused:
		if fk == fhir.KindInvalid {
			return say("The platform refused the change.")
		}
		return say("The platform does not allow this.")
	case KindConflict:
		return say("Someone changed this referral on the platform first.")
	case KindNotFound:
		if errors.Is(err, storage.ErrNotFound) && fk == fhir.KindOther {
			return "Referral Desk has no record of that."
		}
		return say("The platform no longer has this referral.")
	case KindDamaged:
		if errors.Is(err, storage.ErrDamaged) {
			return "Part of the data saved on this computer is damaged and cannot be read. Sync again to fetch it anew from the platform."
		}
		return "The platform sent something Referral Desk cannot read. Nothing was changed here."
	case KindLocked:
		return sentences[reasonLocked]
	case KindLocal:
		if errors.Is(err, storage.ErrDiskFull) {
			return "This computer's disk is full, so Referral Desk cannot save anything new; what is already here can still be read. Free some space, then try again."
		}
	case KindUnsafe:
		return "The platform pointed Referral Desk somewhere unsafe, so it stopped. Nothing was changed here."
	}
	if log != "" {
		return (&Error{}).fill(sentences[reasonInternalWithLog], log)
	}
	return sentences[reasonInternalNoLog]
}

// fill puts e's details into a sentence.
func (e *Error) fill(s, log string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	cause := ""
	if strings.Contains(s, "{cause}") && e.Err != nil {
		cause = sentence(e.Err, log)
	}
	return strings.NewReplacer(
		"{platform}", e.Platform,
		"{value}", e.Value,
		"{quoted}", strconv.Quote(e.Value),
		"{status}", e.Status,
		"{to}", e.To,
		"{action}", e.Action,
		"{host}", e.Host,
		"{path}", e.Path,
		"{list}", strings.Join(e.List, ", "),
		"{alphabets}", strings.Join(e.List, " and "),
		"{n}", strconv.Itoa(e.N),
		"{of}", strconv.Itoa(e.Of),
		"{log}", log,
		"{cause}", cause,
	).Replace(s)
}

// grantLimits says what will not work with the scopes a platform granted,
// one sentence each; "" when everything needed was granted.
func grantLimits(scope string) string {
	var say []string
	for _, r := range auth.MissingScopes(scope) {
		say = append(say, r.Sentence())
	}
	return strings.Join(say, " ")
}

// say is the sentence of a reason that needs no details.
func say(r Reason) string { return (&Error{Reason: r}).fill(sentences[r], "") }
