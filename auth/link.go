package auth

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxLinkLen is the longest link accepted (desktop.md: scanned and pasted content is untrusted input).
const maxLinkLen = 2048

// NormalizeFHIRBase checks a pasted or scanned link and returns the FHIR base URL it names: without spaces,
// trailing "/", a pasted "/metadata" or "/.well-known/smart-configuration" suffix; for a SMART launch link
// (https://x/launch?iss=<FHIR base>) the iss value. IDN hosts are kept in Unicode (lower case) for the UI
// to show next to their punycode form.
func NormalizeFHIRBase(raw string) (string, error) { return normalize(raw, true) }

func normalize(raw string, allowIss bool) (string, error) {
	if !utf8.ValidString(raw) {
		return "", fail(KindLink, "This link contains damaged characters. Copy it again from the platform.", nil)
	}
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fail(KindLink, "The link is empty. Paste the platform's FHIR link.", nil)
	}
	if utf8.RuneCountInString(s) > maxLinkLen {
		return "", fail(KindLink, fmt.Sprintf("This link is too long (over %d characters). Ask the platform for its FHIR link.", maxLinkLen), nil)
	}
	u, err := parseLink(s)
	if err != nil {
		return "", err
	}
	if strings.Contains(s, "#") {
		return "", fail(KindLink, "This link has a '#' part, which a FHIR address never has. Ask the platform for its FHIR link.", nil)
	}
	if err := checkURL(u); err != nil {
		return "", err
	}
	q := u.Query()
	if iss, ok := q["iss"]; ok && allowIss {
		if len(iss) != 1 {
			return "", fail(KindLink, "This sign-in link names more than one server. Ask the platform for its FHIR link.", nil)
		}
		return normalize(iss[0], false)
	}
	if u.RawQuery != "" || u.ForceQuery {
		return "", fail(KindLink, "This link has extra parts after '?', which a FHIR address never has. Ask the platform for its FHIR link.", nil)
	}
	path := strings.TrimRight(u.Path, "/")
	for _, suffix := range []string{"/metadata", "/.well-known/smart-configuration"} {
		path = strings.TrimSuffix(path, suffix)
	}
	path = strings.TrimRight(path, "/")
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + (&url.URL{Path: path}).EscapedPath(), nil
}

// CheckEndpoint applies the rule for every address Referral Desk contacts: an absolute https URL, or http on
// a loopback host (127.0.0.0/8, ::1, localhost) for local testing; no user name or password, no '#' part,
// no hidden characters.
func CheckEndpoint(raw string) (*url.URL, error) {
	if !utf8.ValidString(raw) || strings.TrimSpace(raw) != raw || len(raw) > maxLinkLen {
		return nil, fail(KindLink, "This address is damaged or too long.", nil)
	}
	u, err := parseLink(raw)
	if err != nil {
		return nil, err
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, fail(KindLink, "This address has a '#' part, which a server address never has.", nil)
	}
	if err := checkURL(u); err != nil {
		return nil, err
	}
	return u, nil
}

// parseLink parses s after refusing hidden characters, before and after percent-decoding.
func parseLink(s string) (*url.URL, error) {
	if hidden(s) {
		return nil, hiddenErr()
	}
	if strings.ContainsRune(s, '\\') {
		return nil, fail(KindLink, "This link contains a backslash, which can disguise where it leads. Copy it again from the platform.", nil)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fail(KindLink, "This is not a valid web link. Copy it again from the platform.", err)
	}
	if hidden(u.Host) || hidden(strings.ReplaceAll(u.Path, " ", "")) { // an encoded space (%20) is visible
		return nil, hiddenErr()
	}
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "https", "http", "":
	default:
		return nil, fail(KindLink, fmt.Sprintf("This is not a web link (%s:). Referral Desk only opens https links.", sanitize(scheme)), nil)
	}
	return u, nil
}

func hiddenErr() *Error {
	return fail(KindLink, "This link contains hidden or invisible characters, which can disguise where it leads. Copy it again from the platform.", nil)
}

// hidden reports control, format (bidi, zero-width), private-use, space and other invisible characters.
func hidden(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsSpace(r) ||
			unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs, unicode.Zs, unicode.Zl, unicode.Zp,
				unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) {
			return true
		}
		switch r {
		case 0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800: // Hangul fillers and blank Braille: visible as nothing
			return true
		}
	}
	return false
}

// checkURL applies the https-or-loopback-http rule to a parsed URL.
func checkURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return fail(KindLink, "This link is not secure (http). Ask the platform for its https link.", nil)
		}
	case "":
		return fail(KindLink, "This address is incomplete: it does not start with https://.", nil)
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return fail(KindLink, "This link has no server name after https://. Copy it again from the platform.", nil)
	}
	if u.User != nil {
		return fail(KindLink, "This link hides its real destination behind a name and '@'. Ask the platform for its plain link.", nil)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fail(KindLink, "This link has an impossible port number. Copy it again from the platform.", err)
		}
	}
	if strings.Contains(u.Hostname(), "%") {
		return fail(KindLink, "This link has an unusual server name. Ask the platform for its plain link.", nil)
	}
	return nil
}

// isLoopback reports hosts that never leave this computer: localhost, 127.0.0.0/8, ::1.
func isLoopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
