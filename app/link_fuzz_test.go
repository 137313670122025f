package app

import (
	"errors"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/idna"

	"github.com/referraldesk/referraldesk/auth"
)

// Every link goes through the one link checker (CheckLink), however it comes
// in: typed or pasted into the window, scanned (ParseConnectionText), as a
// connection link or a referraldesk:// link (ConnectionText). The targets
// check: no panic; a refusal is a typed error the window can explain; an
// accepted link leads to an https address (or http on this computer) on a
// valid internet name, the very host shown to the case worker; and the
// verdict is stable: what the checker accepts and gives back (the FHIR base,
// a connection link made from it) it accepts again, with the same result.

var linkSeeds = []string{
	"https://referrals.example.org/fhir/R4", "https://referrals.example.org/fhir/R4/metadata", "  https://Referrals.Example.ORG:8443/fhir/ \n",
	"http://127.0.0.1:8080/fhir", "http://localhost./fhir", "http://[::1]:9/fhir", "http://[::ffff:127.0.0.1]/x", "http://referrals.example.org/fhir",
	"https://bücher.example/fhir", "https://xn--bcher-kva.example/fhir", "https://BÜCHER.example/fhir", "https://пример.рф/fhir",
	"https://pаypal.com/fhir", "https://аррӏе.com/fhir", "https://xn--80ak6aa92e.com/fhir", "https://ｅｘａｍｐｌｅ.com/fhir",
	"https://user:pw@referrals.example.org/fhir", "https://referrals.example.org@evil.example/fhir", "https://evil.example\\@referrals.example.org/",
	"https://referrals.example.org/fhir#x", "https://referrals.example.org/fhir?", "https://referrals.example.org:0/", "https://referrals.example.org:65536/",
	"https://referrals.example.org\u200b/fhir", "https://referrals.example.org/fh\u202eir", "https://referrals.example.org/%e2%80%8b", "https://referrals.example.org/a%00b",
	"https://referrals.example.org/a b", "https://referrals.example.org/a%20b", "https://%72eferrals.example.org/", "https://referrals.example.org%2eevil.example/",
	"https://1.2.3.4/fhir", "https://[fe80::1%25eth0]/fhir", "https://0x7f.1/", "https://999999999999/", "https://a..b/", "https://-a.example/", "https://a_b.example/",
	"https://launch.example/launch?iss=https%3A%2F%2Freferrals.example.org%2Ffhir", "https://a.example/?iss=https://b.example/fhir&iss=https://c.example/fhir",
	"https://xn--80ak6aa92e.com/launch?iss=https%3A%2F%2Freferrals.example.org%2Ffhir", "https://a.example/?iss=https%3A%2F%2Fa.example%2F%3Fiss%3Dhttps%3A%2F%2Fb.example",
	"javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "ftp://a.example/", "//referrals.example.org/fhir", "referrals.example.org/fhir",
	"https://" + strings.Repeat("a", 64) + ".example/", "https://" + strings.Repeat("a.", 130) + "example/", "https://x.example/" + strings.Repeat("p", 2040),
	"https://referrals.example.org/fhir\x00", "https://\xff.example/", "", "https://",
}

// FuzzCheckLink: a link typed or pasted, through the one link checker.
func FuzzCheckLink(f *testing.F) {
	for _, s := range linkSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		l, err := CheckLink(raw)
		if err != nil {
			refusedTyped(t, raw, err)
			return
		}
		acceptedLink(t, raw, l)
		again, err := CheckLink(l.FHIRBase)
		if err != nil || again != l {
			t.Fatalf("CheckLink(%q) = %+v, but its own FHIR base reads as %+v, %v", raw, l, again, err)
		}
	})
}

// FuzzParseConnectionText: a scanned or pasted text (a FHIR base, a SMART
// link with iss=, a connection link with its settings).
func FuzzParseConnectionText(f *testing.F) {
	for _, s := range linkSeeds {
		f.Add(s)
	}
	for _, s := range connectionSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseConnectionText(text)
		if trimmed, terr := ParseConnectionText(strings.TrimSpace(text)); !sameScanned(s, trimmed) || (err == nil) != (terr == nil) {
			// The window keeps a scanned text trimmed (useScanned), then checks it again.
			t.Fatalf("ParseConnectionText(%q) = %+v, %v; trimmed, %+v, %v", text, s, err, trimmed, terr)
		}
		if err != nil {
			refusedTyped(t, text, err)
			return
		}
		l, err := CheckLink(text)
		if err != nil || l != s.Link || s.Options.Link != l.FHIRBase {
			t.Fatalf("ParseConnectionText(%q) accepted %+v; CheckLink says %+v, %v", text, s, l, err)
		}
		acceptedLink(t, text, s.Link)
		o := s.Options
		port := ""
		if o.RedirectPort != 0 {
			port = strconv.Itoa(o.RedirectPort)
		}
		var again ConnectOptions // each setting kept passes its rule again
		for _, p := range [][2]string{{paramClientID, o.ClientID}, {paramRedirectPort, port}, {paramOwner, o.Owner}, {paramName, o.Name}} {
			if p[1] != "" {
				if err := again.set(p[0], p[1]); err != nil {
					t.Fatalf("ParseConnectionText(%q) kept %s=%q, which its rule refuses: %v", text, p[0], p[1], err)
				}
			}
		}
		if !sameSettings(again, o) {
			t.Fatalf("ParseConnectionText(%q) kept settings %+v that read again as %+v", text, o, again)
		}
		if s.Kind == LinkFHIRBase && !sameSettings(o, ConnectOptions{}) {
			t.Fatalf("ParseConnectionText(%q): a plain FHIR base with settings %+v", text, o)
		}
		// The connection link Referral Desk makes of what it read reads back the same.
		link, err := ConnectionLink(Source{FHIRBase: l.FHIRBase, ClientID: o.ClientID, RedirectPort: o.RedirectPort, Owner: o.Owner, Name: o.Name})
		if err != nil {
			return // too long once written out: refused, not handed out
		}
		back, err := ParseConnectionText(link)
		if err != nil || back.Link != s.Link || !sameSettings(back.Options, o) {
			t.Fatalf("ParseConnectionText(%q) = %+v; its connection link %q reads as %+v, %v", text, s, link, back, err)
		}
	})
}

// FuzzSchemeLink: a referraldesk:// link opened on this computer, read as
// the connection link it stands for (OpenSchemeLink's path).
func FuzzSchemeLink(f *testing.F) {
	for _, s := range connectionSeeds {
		if i := strings.Index(s, "?"); i >= 0 {
			f.Add("referraldesk://connect" + s[i:])
		}
	}
	for _, s := range []string{
		"referraldesk://connect?iss=https%3A%2F%2Freferrals.example.org%2Ffhir%2FR4&client_id=rd-4711&redirect_port=53682&owner=Organization%2Fcbo-42&name=Eastside%20Referrals",
		"REFERRALDESK://CONNECT/?iss=https://referrals.example.org/fhir", "referraldesk://connect?iss=https://a.example/fhir#frag",
		"referraldesk://connect?iss=https://a.example/fhir&iss=https://b.example/fhir", "referraldesk://connect?iss=", "referraldesk://connect?iss",
		"referraldesk://user@connect?iss=https://a.example/fhir", "referraldesk:connect?iss=https://a.example/fhir", "referraldesk://connect/x?iss=https://a.example",
		"referraldesk://connect?iss=https://a.example/fhir?iss=https://evil.example/fhir", "referraldesk://connect?iss=https%3A%2F%2Fa.example%2Ffhir%3Fx%3D1",
		"referraldesk://connect?iss=javascript:alert(1)", "referraldesk://connect?iss=https://xn--80ak6aa92e.com/fhir", "referraldesk://connect?%zz&iss=https://a.example",
		"referraldesk://connect#?iss=https://a.example/fhir", "referraldesk://", "referraldesk:", "referraldesk://connect?iss=https://a.example/fhir&name=%E2%80%AEevil",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, link string) {
		text, err := ConnectionText(link)
		if err != nil {
			refusedTyped(t, link, err)
			return
		}
		if !IsSchemeLink(link) {
			t.Fatalf("ConnectionText(%q) read a link IsSchemeLink does not take for one", link)
		}
		s, err := ParseConnectionText(text)
		if err != nil {
			refusedTyped(t, text, err)
			return
		}
		if s.Kind == LinkFHIRBase {
			t.Fatalf("referraldesk link %q read as a plain FHIR base %q", link, text)
		}
		acceptedLink(t, text, s.Link)
		// The referraldesk:// link Referral Desk makes of it reads back the same.
		again, err := SchemeLink(text)
		if err != nil {
			t.Fatalf("referraldesk link %q stands for %q, whose own referraldesk link is refused: %v", link, text, err)
		}
		text2, err := ConnectionText(again)
		if err != nil {
			t.Fatalf("SchemeLink(%q) = %q, which ConnectionText refuses: %v", text, again, err)
		}
		if s2, err := ParseConnectionText(text2); err != nil || !sameScanned(s, s2) {
			t.Fatalf("referraldesk link %q reads as %+v; made again (%q) as %+v, %v", link, s, again, s2, err)
		}
	})
}

var connectionSeeds = []string{
	"https://referrals.example.org/fhir/R4?iss=https%3A%2F%2Freferrals.example.org%2Ffhir%2FR4&client_id=rd-4711&redirect_port=53682&owner=Organization%2Fcbo-42&name=Eastside%20Referrals",
	"https://referrals.example.org/fhir/R4?iss=https%3A%2F%2Freferrals.example.org%2Ffhir%2FR4&name=B%C3%BCcher%20%E2%80%93%20Nord",
	"https://referrals.example.org/fhir/R4?iss=https%3A%2F%2Freferrals.example.org%2Ffhir%2FR4&name=%E2%80%AEevil&client_id=a",
	"https://referrals.example.org/fhir/R4?iss=https%3A%2F%2Freferrals.example.org%2Ffhir%2FR4&client_id=a&client_id=b",
	"https://referrals.example.org/fhir/R4?iss=https%3A%2F%2Fevil.example%2Ffhir&redirect_port=80",
	"https://referrals.example.org/fhir/R4?iss=https%3A%2F%2Freferrals.example.org%2Ffhir%2FR4&redirect_port=+1024&owner=organization/1",
	"https://referrals.example.org/fhir/R4?iss=https%3A%2F%2Freferrals.example.org%2Ffhir%2FR4&name=+++&owner=Organization%2F" + strings.Repeat("a", 65),
	"https://referrals.example.org/fhir/R4?iss=https%3A%2F%2Fb%C3%BCcher.example%2Ffhir&unknown=1",
	"https://referrals.example.org/fhir/R4?iss=https%3A%2F%2Freferrals.example.org%2Ffhir%2FR4&name=" + strings.Repeat("%C3%A9", 81),
	"shlink:/eyJ1cmwiOiJodHRwczovL2V4YW1wbGUifQ", "https://viewer.example/#shlink:/abc", "SHC:/5676290952432060346029243740446031222959532654603460292540772804336028702864716745222809286133314564376531415906402203064504590856435503414245413640370636654171372412363803043756220467374075323239254334433260573601064529315312707424283950386922127667",
	"MEBKM:URL:http\\://en.wikipedia.org/wiki/Main_Page;;", "http://google.com/gwt/n?u=bluenile.com", "Sean Owen\nsrowen@google.com\n917-364-2918\nhttp://awesome-thoughts.com",
}

// acceptedLink checks what an accepted link says: an https address (or http
// on this computer), no user name, query or '#' part, and the host shown is
// the host contacted, a valid internet name or an IP address.
func acceptedLink(t *testing.T, raw string, l Link) {
	t.Helper()
	u, err := url.Parse(l.FHIRBase)
	if err != nil {
		t.Fatalf("CheckLink(%q) gave FHIR base %q, which does not parse: %v", raw, l.FHIRBase, err)
	}
	switch {
	case u.Scheme == "https" && l.Secure:
	case u.Scheme == "http" && !l.Secure && loopback(u.Hostname()):
	default:
		t.Fatalf("CheckLink(%q) accepted %q (secure %v): neither https nor http on this computer", raw, l.FHIRBase, l.Secure)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" || u.Host == "" || u.Port() != l.Port {
		t.Fatalf("CheckLink(%q) accepted %q (%+v): a user name, query, '#' part, no host or another port", raw, l.FHIRBase, l)
	}
	if p := l.Port; p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			t.Fatalf("CheckLink(%q) accepted port %q", raw, p)
		}
	}
	contacted := u.Hostname()
	if _, err := netip.ParseAddr(contacted); err != nil {
		// net/http contacts a name by its punycode (idna.Lookup), as shown.
		if contacted, err = idna.Lookup.ToASCII(contacted); err != nil {
			t.Fatalf("CheckLink(%q) accepted host %q, which is no valid internet name: %v", raw, u.Hostname(), err)
		}
		if uni, err := idna.Lookup.ToUnicode(l.ASCIIHost); err != nil || uni != l.Host {
			t.Fatalf("CheckLink(%q) shows %q for %q (%q, %v)", raw, l.Host, l.ASCIIHost, uni, err)
		}
	}
	if contacted != l.ASCIIHost {
		t.Fatalf("CheckLink(%q) shows %q (%q), but %q is contacted", raw, l.Host, l.ASCIIHost, contacted)
	}
	for _, r := range l.ASCIIHost {
		if r >= 0x80 || r <= ' ' {
			t.Fatalf("CheckLink(%q): the host contacted %q is not plain ASCII", raw, l.ASCIIHost)
		}
	}
}

func loopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// refusedTyped fails unless a refusal is an error the window explains: the
// app's or the auth package's, with a reason.
func refusedTyped(t *testing.T, raw string, err error) {
	t.Helper()
	var ae *Error
	var au *auth.Error
	if !(errors.As(err, &ae) && (ae.Reason != "" || ae.Err != nil)) && !(errors.As(err, &au) && au.Reason != "") {
		t.Fatalf("%q refused with %v (%T), not a typed error with a reason", raw, err, err)
	}
}

func sameSettings(a, b ConnectOptions) bool {
	return a.ClientID == b.ClientID && a.RedirectPort == b.RedirectPort && a.Owner == b.Owner && a.Name == b.Name
}

func sameScanned(a, b Scanned) bool {
	return a.Kind == b.Kind && a.Link == b.Link && a.Options.Link == b.Options.Link && sameSettings(a.Options, b.Options)
}
