package app

import (
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Referral Desk's connection link is an https link that is the platform's
// FHIR base URL itself, with a query that names the same base in SMART's
// iss parameter and adds what a colleague needs to connect the same way:
//
//	https://referrals.example.org/fhir/R4?iss=https%3A%2F%2Freferrals.example.org%2Ffhir%2FR4
//	    &client_id=rd-4711&redirect_port=53682&owner=Organization%2Fcbo-42&name=Eastside%20Referrals
//
// Why this shape and not a "referraldesk:" URI: it is already a SMART-style
// link (iss=), so existing paste and scan paths and other SMART tools read
// it; a phone that scans it opens the platform's own address, which is
// harmless and tells the person where it leads; and a QR code of an https
// link is what the SDOH Clinical Care IG's "Connecting Applications" page
// expects platforms to hand out. Only iss is required; the other parameters
// are public settings (a public PKCE client id, a loopback port, a FHIR
// reference, a display name) and never a secret. Unknown parameters are
// ignored, so later versions can add some.
const (
	paramIss          = "iss"
	paramClientID     = "client_id"
	paramRedirectPort = "redirect_port"
	paramOwner        = "owner"
	paramName         = "name"
)

// LinkKind says which of the accepted link formats a text was.
type LinkKind int

const (
	LinkFHIRBase     LinkKind = iota // a plain FHIR base URL
	LinkSMART                        // a SMART-style link carrying iss=<FHIR base>
	LinkReferralDesk                 // Referral Desk's connection link (iss= plus settings)
)

// ErrHealthRecord matches (errors.Is) scanned SMART Health Links (shlink:/)
// and SMART Health Cards (shc:/): a person's own health record, which
// Referral Desk recognises and never follows.
var ErrHealthRecord = errors.New("a personal health record, not a referral platform")

// Scanned is what a scanned or pasted text says, worked out before anything
// is contacted: the options to connect with and the checked link to show for
// confirmation.
type Scanned struct {
	Kind    LinkKind
	Options ConnectOptions
	Link    Link
}

// ParseConnectionText reads a scanned or pasted text as one of the link
// formats: a FHIR base URL, a SMART link with iss=, or Referral Desk's
// connection link. It applies CheckLink's rules (https, no user@host, no
// hidden characters, valid UTF-8, at most 2 048 characters, no look-alike
// server names). It contacts nothing.
func ParseConnectionText(text string) (Scanned, error) {
	if IsSchemeLink(text) { // a referraldesk:// link pasted or scanned: read the connection link it stands for
		connection, err := ConnectionText(text)
		if err != nil {
			return Scanned{}, err
		}
		text = connection
	}
	if err := healthRecord(text); err != nil {
		return Scanned{}, err
	}
	l, err := CheckLink(text)
	if err != nil {
		return Scanned{}, err
	}
	s := Scanned{Kind: LinkFHIRBase, Link: l, Options: ConnectOptions{Link: l.FHIRBase}}
	u, err := url.Parse(strings.TrimSpace(text))
	if err != nil { // CheckLink parsed it already
		return Scanned{}, &Error{Op: "read a connection link", Kind: KindUnsafe, Reason: reasonLinkInvalid, Err: err}
	}
	q := u.Query()
	if _, ok := q[paramIss]; !ok {
		return s, nil
	}
	s.Kind = LinkSMART
	for _, p := range []string{paramClientID, paramRedirectPort, paramOwner, paramName} {
		vs, ok := q[p]
		if !ok {
			continue
		}
		s.Kind = LinkReferralDesk
		if len(vs) != 1 {
			return Scanned{}, &Error{Op: "read a connection link", Kind: KindUnsafe, Reason: reasonLinkParamTwice, Value: p}
		}
		if err := s.Options.set(p, vs[0]); err != nil {
			return Scanned{}, err
		}
	}
	return s, nil
}

var (
	// A client id is RFC 6749's VSCHAR without spaces, short enough to read.
	clientIDPattern = regexp.MustCompile(`^[\x21-\x7e]{1,255}$`)
	// An owner is a FHIR reference "Type/id" (FHIR id: 1–64 of [A-Za-z0-9-.]).
	ownerPattern = regexp.MustCompile(`^[A-Z][A-Za-z]{1,63}/[A-Za-z0-9.-]{1,64}$`)
)

// set checks one connection-link parameter by its rule and keeps it.
func (o *ConnectOptions) set(param, v string) error {
	if why := o.keep(param, v); why != "" {
		return &Error{Op: "read a connection link", Kind: KindUnsafe, Reason: why, N: maxNameLen}
	}
	return nil
}

// typedReasons say a broken rule of a setting the case worker typed, in
// place of the link's sentence (which asks for a new link).
var typedReasons = map[Reason]Reason{
	reasonLinkClientID:   reasonClientIDTyped,
	reasonLinkPort:       ReasonRedirectPort,
	reasonLinkOwner:      reasonNotAReference,
	reasonLinkName:       reasonNameTyped,
	reasonLinkNameHidden: reasonNameTyped,
}

// TypedSettings checks the settings a case worker typed (the window's
// Advanced fields, the command line's flags) by the same rules as a
// connection link's parameters, and returns them as options; an empty
// value leaves its setting unset.
func TypedSettings(clientID, redirectPort, owner, name string) (ConnectOptions, error) {
	var o ConnectOptions
	for _, s := range []struct{ param, v string }{
		{paramClientID, clientID}, {paramRedirectPort, redirectPort}, {paramOwner, owner}, {paramName, name},
	} {
		v := strings.TrimSpace(s.v)
		if v == "" {
			continue
		}
		if why := o.keep(s.param, v); why != "" {
			return ConnectOptions{}, &Error{Op: "connect", Kind: KindInvalid, Reason: typedReasons[why], Value: v, N: maxNameLen}
		}
	}
	return o, nil
}

// keep is the one rule of each setting, however it comes in: it keeps a
// valid value, or returns the link's reason for refusing it.
func (o *ConnectOptions) keep(param, v string) Reason {
	switch param {
	case paramClientID:
		if !clientIDPattern.MatchString(v) {
			return reasonLinkClientID
		}
		o.ClientID = v
	case paramRedirectPort:
		n, err := strconv.Atoi(v)
		if err != nil || n < 1024 || n > 65535 {
			return reasonLinkPort
		}
		o.RedirectPort = n
	case paramOwner:
		if !ownerPattern.MatchString(v) {
			return reasonLinkOwner
		}
		o.Owner = v
	case paramName:
		name, why := displayName(v)
		if why != "" {
			return why
		}
		o.Name = name
	}
	return ""
}

// maxNameLen matches plainName: a platform's name fits one line of the window.
const maxNameLen = 80

// displayName accepts a platform's name only when it is printable: unlike
// a name a server reports (plainName strips what it cannot show), a name in
// a link someone hands out is refused whole, since hidden characters there
// are a sign of tampering. It returns why it refused.
func displayName(v string) (string, Reason) {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) || v == "" || utf8.RuneCountInString(v) > maxNameLen {
		return "", reasonLinkName
	}
	for _, r := range v {
		if r != ' ' && (unicode.IsSpace(r) || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs,
			unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)) {
			return "", reasonLinkNameHidden
		}
	}
	return v, ""
}

// healthRecord recognises SMART Health Links and Cards, bare or behind a
// viewer's address (https://viewer.example/#shlink:/…), so the person hears
// what they scanned instead of "not a web link".
func healthRecord(text string) error {
	s := strings.ToLower(strings.TrimSpace(text))
	switch {
	case strings.HasPrefix(s, "shlink:/") || strings.Contains(s, "#shlink:/"):
		return &Error{Op: "read a connection link", Kind: KindInvalid, Reason: reasonHealthLink, Err: ErrHealthRecord}
	case strings.HasPrefix(s, "shc:/"):
		return &Error{Op: "read a connection link", Kind: KindInvalid, Reason: reasonHealthCard, Err: ErrHealthRecord}
	}
	return nil
}

// ConnectionLink is the connection link for a connected platform, to show as
// a QR code so a colleague can connect the same way. It holds the FHIR base,
// client id, redirect port, owner and name — never a token or secret (a
// source has none in it: Referral Desk is a public client with PKCE).
func ConnectionLink(src Source) (string, error) {
	l, err := CheckLink(src.FHIRBase)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(l.FHIRBase + "?" + paramIss + "=" + url.QueryEscape(l.FHIRBase))
	add := func(k, v string) {
		if v != "" {
			b.WriteString("&" + k + "=" + strings.ReplaceAll(url.QueryEscape(v), "+", "%20"))
		}
	}
	add(paramClientID, src.ClientID)
	if src.RedirectPort != 0 {
		add(paramRedirectPort, strconv.Itoa(src.RedirectPort))
	}
	add(paramOwner, src.Owner)
	add(paramName, plainName(src.Name))
	link := b.String()
	// The link must read back as it was written: a stored value the parser
	// would refuse (or a link over the length limit) is not handed out.
	if _, err := ParseConnectionText(link); err != nil {
		return "", err
	}
	return link, nil
}
