package app

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"unicode"

	"golang.org/x/net/idna"

	"github.com/referraldesk/referraldesk/auth"
	"github.com/referraldesk/referraldesk/fhir"
)

// Link is what a pasted link says about a platform, worked out on this
// computer before anything is contacted (desktop.md: show the host in Unicode
// and punycode first; scanned and pasted links are untrusted input).
type Link struct {
	FHIRBase  string
	Host      string // as people read it, in Unicode ("bücher.example")
	ASCIIHost string // what the computer really contacts, in punycode ("xn--bcher-kva.example")
	Port      string // "" = the default port
	Secure    bool   // https; false only for http on this computer (loopback), which auth allows for testing
}

// IDN reports whether the host has non-ASCII letters, so its punycode form is worth showing.
func (l Link) IDN() bool { return l.Host != l.ASCIIHost }

// Server is the server's name as people read it, with the name the computer
// really contacts beside it when the two differ: "bücher.example
// (xn--bcher-kva.example)".
func (l Link) Server() string {
	if l.IDN() {
		return l.Host + " (" + l.ASCIIHost + ")"
	}
	return l.Host
}

// unknownHost is the one rule for a server name that does not exist (the
// system's resolver has no such name): err becomes the sentence that names
// the server and says what to check, whichever way the link came in (typed,
// pasted, scanned, on the command line). Some systems answer so when they
// are offline, too, so the sentence names both causes. Other errors pass
// through unchanged.
func unknownHost(l Link, err error) error {
	if dns, ok := errors.AsType[*net.DNSError](err); !ok || !dns.IsNotFound {
		return err
	}
	return &Error{Op: "find the platform", Kind: KindOffline, Reason: reasonUnknownHost, Value: l.Server(), Host: l.ASCIIHost, Err: err}
}

// CheckLink is the one check every link goes through, however it comes in
// (typed, pasted, scanned, on the command line, or as the iss of a SMART or
// connection link) and before anything is contacted: the rules of
// auth.NormalizeFHIRBase, then the server names, which must be valid
// internet names and not look-alikes (checkHostScripts). Connect applies it
// too, so no caller can skip it. It says where the link leads and contacts
// nothing.
func CheckLink(raw string) (Link, error) {
	base, err := auth.NormalizeFHIRBase(raw)
	if err != nil {
		return Link{}, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return Link{}, &Error{Op: "check link", Kind: KindUnsafe, Reason: reasonLinkInvalid, Err: err}
	}
	l := Link{FHIRBase: base, Port: u.Port(), Secure: u.Scheme == "https"}
	if l.Host, l.ASCIIHost, err = hostNames(u.Hostname()); err != nil {
		return Link{}, err
	}
	// A SMART or connection link is itself an address (the one a phone opens
	// when it scans the code), which NormalizeFHIRBase has checked but left
	// for iss: its server name must not be a look-alike either.
	if outer, err := url.Parse(strings.TrimSpace(raw)); err == nil && !strings.EqualFold(outer.Hostname(), u.Hostname()) {
		if _, _, err := hostNames(strings.ToLower(outer.Hostname())); err != nil {
			return Link{}, err
		}
	}
	return l, nil
}

// hostNames returns a server name as people read it (Unicode) and as the
// computer contacts it (punycode), refusing names that are not valid
// internet names or that imitate another (checkHostScripts). An IP address
// is both.
func hostNames(host string) (unicodeName, asciiName string, err error) {
	if net.ParseIP(host) != nil {
		return host, host, nil
	}
	ascii, aerr := idna.Lookup.ToASCII(host)
	uni, uerr := idna.Lookup.ToUnicode(ascii)
	if aerr != nil || uerr != nil {
		return "", "", &Error{Op: "check link", Kind: KindUnsafe, Reason: reasonHostInvalid, Err: errors.Join(aerr, uerr)}
	}
	if err := checkHostScripts(Link{Host: uni, ASCIIHost: ascii}); err != nil {
		return "", "", err
	}
	return uni, ascii, nil
}

// PlatformName asks the platform what it is called (its CapabilityStatement:
// the instance's description, else title, name, publisher or software name).
// It returns "" when the platform does not say; that is never an error worth
// showing, since the host already identifies it.
func (a *App) PlatformName(ctx context.Context, fhirBase string) string {
	fc, err := fhir.NewClient(fhirBase, a.hc, nil)
	if err != nil {
		return ""
	}
	cs, err := fc.Capabilities(ctx)
	if err != nil {
		return ""
	}
	for _, s := range cs.Names() {
		if s = plainName(s); s != "" {
			return s
		}
	}
	return ""
}

// plainName keeps a server-given name printable and short: it is shown as
// the platform's name, so it must not smuggle in control or bidi characters.
func plainName(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}
