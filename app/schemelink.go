package app

import (
	"fmt"
	"net/url"
	"strings"
)

// Referral Desk's own link, for a referral platform's web page or e-mail to
// open the app with one click (the system hands it to Referral Desk: the
// x-scheme-handler/referraldesk MIME type on Linux, the referraldesk: URL
// protocol on Windows, a URL type on macOS):
//
//	referraldesk://connect?iss=https%3A%2F%2Freferrals.example.org%2Ffhir%2FR4
//	    &client_id=rd-4711&redirect_port=53682&owner=Organization%2Fcbo-42&name=Eastside%20Referrals
//
// Its query is the connection link's (connlink.go), so it says nothing a
// connection link cannot. Referral Desk never reads it by itself: it turns
// it into the connection link it stands for (ConnectionText), which then
// goes through every check of a pasted link before anything is contacted.
const (
	SchemeName   = "referraldesk"
	schemeAction = "connect"
	schemePrefix = SchemeName + "://" + schemeAction
)

// IsSchemeLink reports whether text is meant as a referraldesk: link, so that
// main hands it to the window rather than reading it as a command. It says
// nothing of whether the link is good.
func IsSchemeLink(text string) bool {
	s := strings.TrimSpace(text)
	return len(s) > len(SchemeName) && strings.EqualFold(s[:len(SchemeName)+1], SchemeName+":")
}

// ConnectionText turns a referraldesk://connect link into the connection
// link it stands for: the FHIR base named by its iss, followed by the link's
// own query exactly as it came, so ParseConnectionText sees what it would
// see had the person pasted that link (hidden characters, a second iss, a
// '#' part and all). It checks only the link's form; it contacts nothing.
func ConnectionText(schemeLink string) (string, error) {
	s := strings.TrimSpace(schemeLink)
	u, err := url.Parse(s)
	if err != nil {
		return "", schemeLinkError(err)
	}
	if !strings.EqualFold(u.Scheme, SchemeName) || u.Opaque != "" || u.User != nil ||
		!strings.EqualFold(u.Host, schemeAction) || (u.Path != "" && u.Path != "/") {
		return "", schemeLinkError(fmt.Errorf("not %s?…", schemePrefix))
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", schemeLinkError(err)
	}
	iss := q[paramIss]
	if len(iss) == 0 || iss[0] == "" {
		return "", schemeLinkError(fmt.Errorf("no %s", paramIss))
	}
	return iss[0] + s[strings.IndexAny(s, "?#"):], nil
}

// SchemeLink is the referraldesk:// link for a connection link (as
// ConnectionLink makes it): the same parameters, for a web page or an
// e-mail to open Referral Desk with.
func SchemeLink(connectionLink string) (string, error) {
	u, err := url.Parse(connectionLink)
	if err != nil || u.RawQuery == "" {
		return "", schemeLinkError(fmt.Errorf("not a connection link: %v", err))
	}
	link := schemePrefix + "?" + u.RawQuery
	// It must read back as the link it came from, or it is not handed out.
	text, err := ConnectionText(link)
	if err != nil {
		return "", err
	}
	if _, err := ParseConnectionText(text); err != nil {
		return "", err
	}
	return link, nil
}

// OpenSchemeLink is a referraldesk:// link opened on this computer (from a
// web page, an e-mail, or another program), read for the connect
// confirmation: the connection link it stands for, or why it is refused.
// The log says that one came and where it leads, never its settings (a
// refused one is logged where its sentence is shown, by Explain).
func (a *App) OpenSchemeLink(link string) (string, error) {
	text, err := ConnectionText(link)
	if err != nil {
		return "", err
	}
	s, err := ParseConnectionText(text)
	if err != nil {
		return "", err
	}
	a.log.Info("referraldesk link opened", "host", s.Link.ASCIIHost)
	return text, nil
}

func schemeLinkError(err error) error {
	return &Error{Op: "read a Referral Desk link", Kind: KindUnsafe, Reason: reasonLinkInvalid, Err: err}
}
