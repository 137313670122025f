package app_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
)

const eastside = "iss=https%3A%2F%2Freferrals.example.org%2Ffhir%2FR4&client_id=rd-4711&redirect_port=53682" +
	"&owner=Organization%2Fcbo-42&name=Eastside%20Referrals"

func TestSchemeLinkIsTheConnectionLink(t *testing.T) {
	src := app.Source{FHIRBase: "https://referrals.example.org/fhir/R4", ClientID: "rd-4711", RedirectPort: 53682,
		Owner: "Organization/cbo-42", Name: "Eastside Referrals"}
	link, err := app.ConnectionLink(src)
	if err != nil {
		t.Fatal(err)
	}
	scheme, err := app.SchemeLink(link)
	if err != nil {
		t.Fatalf("no referraldesk link for %s: %v", link, err)
	}
	if want := "referraldesk://connect?" + eastside; scheme != want {
		t.Fatalf("referraldesk link\n got %s\nwant %s", scheme, want)
	}
	text, err := app.ConnectionText(scheme)
	if err != nil {
		t.Fatalf("%s read back refused: %v", scheme, err)
	}
	if text != link {
		t.Fatalf("%s reads back as\n %s\nwant the connection link it came from\n %s", scheme, text, link)
	}
}

func TestSchemeLinkForms(t *testing.T) {
	want := app.ConnectOptions{Link: "https://referrals.example.org/fhir/R4", ClientID: "rd-4711", RedirectPort: 53682,
		Owner: "Organization/cbo-42", Name: "Eastside Referrals"}
	for _, link := range []string{
		"referraldesk://connect?" + eastside,
		"  ReferralDesk://CONNECT/?" + eastside + "\n", // as a browser or a shell may pass it
		"referraldesk://connect?" + eastside + "&utm_source=mail",
	} {
		text, err := app.ConnectionText(link)
		if err != nil {
			t.Fatalf("%q refused: %v", link, err)
		}
		s, err := app.ParseConnectionText(text)
		if err != nil || s.Kind != app.LinkReferralDesk || !sameSettings(s.Options, want) {
			t.Fatalf("%q reads as %+v (%v), want %+v", link, s.Options, err, want)
		}
	}
}

// sameSettings compares what a link can say.
func sameSettings(a, b app.ConnectOptions) bool {
	return a.Link == b.Link && a.ClientID == b.ClientID && a.RedirectPort == b.RedirectPort && a.Owner == b.Owner && a.Name == b.Name
}

func TestIsSchemeLink(t *testing.T) {
	for text, want := range map[string]bool{
		"referraldesk://connect?iss=x": true, "REFERRALDESK:x": true, " referraldesk:": true,
		"referraldesk": false, "demo": false, "sync": false, "https://referrals.example.org/fhir": false,
	} {
		if got := app.IsSchemeLink(text); got != want {
			t.Errorf("IsSchemeLink(%q) = %v, want %v", text, got, want)
		}
	}
}

// A referraldesk link is refused as its connection link would be: every
// check of a pasted link applies, with the same sentence.
func TestSchemeLinkGetsEveryCheckOfAPastedLink(t *testing.T) {
	tests := []struct{ name, query, say string }{
		{"plain http", "iss=http%3A%2F%2Freferrals.example.org%2Ffhir", "not secure"},
		{"javascript", "iss=javascript%3Aalert(1)", "not a web link"},
		{"user@host", "iss=https%3A%2F%2Freferrals.example.org%40evil.example%2Ffhir", "'@'"},
		{"mixed script", "iss=https%3A%2F%2Fp%D0%B0ypal.example%2Ffhir", "mixes alphabets"},
		{"bidi in iss", "iss=https%3A%2F%2Fok.example%2F%E2%80%AEfhir", "hidden"},
		{"raw zero-width space", "iss=https%3A%2F%2Fok.example%2Ffhir&name=A\u200bB", "hidden"},
		{"bidi in name", "iss=https%3A%2F%2Fr.example%2Ffhir&name=Bank%E2%80%AEknaB", "hidden"},
		{"two iss", "iss=https%3A%2F%2Fr.example%2Ffhir&iss=https%3A%2F%2Fevil.example%2Ffhir", "more than one server"},
		{"iss with a query", "iss=https%3A%2F%2Fr.example%2Ffhir%3Fx%3D1", "after '?'"},
		{"duplicate client id", "iss=https%3A%2F%2Fr.example%2Ffhir&client_id=a&client_id=b", "more than once"},
		{"low redirect port", "iss=https%3A%2F%2Fr.example%2Ffhir&redirect_port=80", "1024"},
		{"a '#' part", "iss=https%3A%2F%2Fr.example%2Ffhir#frag", "'#'"},
		{"too long", "iss=https%3A%2F%2Fr.example%2Ffhir&name=" + strings.Repeat("a", 2100), "too long"},
		{"invalid UTF-8", "iss=https%3A%2F%2Fr.example%2Ffhir&name=\xff", "damaged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			a := app.New(app.Options{Log: slog.New(slog.NewTextHandler(&log, nil))})
			link := "referraldesk://connect?" + tt.query
			text, err := a.OpenSchemeLink(link)
			if err == nil {
				t.Fatalf("%q accepted as %q", link, text)
			}
			if say := app.Explain(err); !strings.Contains(say, tt.say) {
				t.Fatalf("refused with %q, want it to say %q", say, tt.say)
			}
			if _, pasted := app.ParseConnectionText("https://r.example/fhir?" + tt.query); pasted == nil {
				t.Fatalf("the same query pasted as an https link is accepted: the test checks nothing")
			}
			if log.Len() != 0 {
				t.Fatalf("a refused link was logged as opened: %s", log.String())
			}
		})
	}
}

func TestSchemeLinkOfAnotherForm(t *testing.T) {
	for _, link := range []string{
		"referraldesk://disconnect?iss=https%3A%2F%2Fr.example%2Ffhir",
		"referraldesk:connect?iss=https%3A%2F%2Fr.example%2Ffhir",
		"referraldesk://me@connect?iss=https%3A%2F%2Fr.example%2Ffhir",
		"referraldesk://connect/more?iss=https%3A%2F%2Fr.example%2Ffhir",
		"referraldesk://connect?client_id=rd-4711",
		"referraldesk://connect?iss=",
		"referraldesk://connect",
		"referraldesk://connect#iss=https%3A%2F%2Fr.example%2Ffhir",
		"referraldesk://connect?iss=%zz",
		"https://r.example/fhir?iss=https%3A%2F%2Fr.example%2Ffhir",
	} {
		text, err := app.ConnectionText(link)
		if err == nil {
			t.Errorf("%q accepted as %q", link, text)
			continue
		}
		if say := app.Explain(err); !strings.Contains(say, "not a valid web link") {
			t.Errorf("%q refused with %q, want the sentence of a link that is not valid", link, say)
		}
	}
}

func TestOpenSchemeLinkLogsTheServerOnly(t *testing.T) {
	var log bytes.Buffer
	a := app.New(app.Options{Log: slog.New(slog.NewTextHandler(&log, nil))})
	text, err := a.OpenSchemeLink("referraldesk://connect?" + eastside)
	if err != nil || !strings.HasPrefix(text, "https://referrals.example.org/fhir/R4?iss=") {
		t.Fatalf("got %q, %v", text, err)
	}
	got := log.String()
	if !strings.Contains(got, "referraldesk link opened") || !strings.Contains(got, "host=referrals.example.org") {
		t.Fatalf("the log does not say which server the link leads to: %s", got)
	}
	for _, secretish := range []string{"rd-4711", "cbo-42", "Eastside"} {
		if strings.Contains(got, secretish) {
			t.Fatalf("the log holds the link's settings (%s): %s", secretish, got)
		}
	}
}
