package auth

import (
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
func NormalizeFHIRBase(raw string) (_ string, err error) {
	defer during("check link", &err)
	return normalize(raw, true)
}

func normalize(raw string, allowIss bool) (string, error) {
	if !utf8.ValidString(raw) {
		return "", fail(KindLink, reasonLinkDamaged, nil)
	}
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fail(KindLink, reasonLinkEmpty, nil)
	}
	if utf8.RuneCountInString(s) > maxLinkLen {
		return "", fail(KindLink, reasonLinkTooLong, nil)
	}
	u, err := parseLink(s)
	if err != nil {
		return "", err
	}
	if strings.Contains(s, "#") {
		return "", fail(KindLink, reasonLinkFragment, nil)
	}
	if err := checkURL(u); err != nil {
		return "", err
	}
	q := u.Query()
	if iss, ok := q["iss"]; ok && allowIss {
		if len(iss) != 1 {
			return "", fail(KindLink, reasonLinkTwoIss, nil)
		}
		return normalize(iss[0], false)
	}
	if u.RawQuery != "" || u.ForceQuery {
		return "", fail(KindLink, reasonLinkQuery, nil)
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
func CheckEndpoint(raw string) (_ *url.URL, err error) {
	defer during("check address", &err)
	if !utf8.ValidString(raw) || strings.TrimSpace(raw) != raw || len(raw) > maxLinkLen {
		return nil, fail(KindLink, reasonAddressDamaged, nil)
	}
	u, err := parseLink(raw)
	if err != nil {
		return nil, err
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, fail(KindLink, reasonAddressFragment, nil)
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
		return nil, fail(KindLink, reasonLinkBackslash, nil)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fail(KindLink, reasonLinkInvalid, err)
	}
	if hidden(u.Host) || hidden(strings.ReplaceAll(u.Path, " ", "")) { // an encoded space (%20) is visible
		return nil, hiddenErr()
	}
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "https", "http", "":
	default:
		return nil, &Error{Kind: KindLink, Reason: reasonLinkScheme, Field: sanitize(scheme)}
	}
	return u, nil
}

func hiddenErr() *Error {
	return fail(KindLink, reasonLinkHidden, nil)
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
			return fail(KindLink, reasonLinkHTTP, nil)
		}
	case "":
		return fail(KindLink, reasonLinkNoScheme, nil)
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return fail(KindLink, reasonLinkNoHost, nil)
	}
	if u.User != nil {
		return fail(KindLink, reasonLinkUserinfo, nil)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fail(KindLink, reasonLinkPort, err)
		}
	}
	if strings.Contains(u.Hostname(), "%") {
		return fail(KindLink, reasonLinkOddHost, nil)
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
