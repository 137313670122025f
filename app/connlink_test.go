package app_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
)

// linkSettings are the ConnectOptions a link can carry, comparable.
type linkSettings struct {
	Link, ClientID string
	RedirectPort   int
	Owner, Name    string
}

func settingsOf(o app.ConnectOptions) linkSettings {
	return linkSettings{o.Link, o.ClientID, o.RedirectPort, o.Owner, o.Name}
}

func TestParseConnectionTextFormats(t *testing.T) {
	tests := []struct {
		name, text string
		kind       app.LinkKind
		want       app.ConnectOptions
		host       string
	}{
		{"FHIR base", " https://Referrals.example.org/fhir/R4/ \n", app.LinkFHIRBase,
			app.ConnectOptions{Link: "https://referrals.example.org/fhir/R4"}, "referrals.example.org"},
		{"FHIR base with /metadata", "https://referrals.example.org/fhir/metadata", app.LinkFHIRBase,
			app.ConnectOptions{Link: "https://referrals.example.org/fhir"}, "referrals.example.org"},
		{"SMART launch link", "https://ehr.example/launch?iss=https%3A%2F%2Freferrals.example.org%2Ffhir&launch=xyz", app.LinkSMART,
			app.ConnectOptions{Link: "https://referrals.example.org/fhir"}, "referrals.example.org"},
		{"Referral Desk link", "https://referrals.example.org/fhir?iss=https%3A%2F%2Freferrals.example.org%2Ffhir&client_id=rd-4711&redirect_port=53682&owner=Organization%2Fcbo-42&name=Eastside%20Referrals&future=1",
			app.LinkReferralDesk,
			app.ConnectOptions{Link: "https://referrals.example.org/fhir", ClientID: "rd-4711", RedirectPort: 53682, Owner: "Organization/cbo-42", Name: "Eastside Referrals"},
			"referrals.example.org"},
		{"demo platform on this computer", "http://127.0.0.1:8123/fhir?iss=http%3A%2F%2F127.0.0.1%3A8123%2Ffhir&name=Demo", app.LinkReferralDesk,
			app.ConnectOptions{Link: "http://127.0.0.1:8123/fhir", Name: "Demo"}, "127.0.0.1"},
		{"IDN in one script", "https://bücher.example/fhir", app.LinkFHIRBase,
			app.ConnectOptions{Link: "https://bücher.example/fhir"}, "bücher.example"},
		{"Japanese name (Han with Katakana)", "https://日本テスト.example/fhir", app.LinkFHIRBase,
			app.ConnectOptions{Link: "https://日本テスト.example/fhir"}, "日本テスト.example"},
		{"Cyrillic name under a Cyrillic domain", "https://пример.рф/fhir", app.LinkFHIRBase,
			app.ConnectOptions{Link: "https://пример.рф/fhir"}, "пример.рф"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := app.ParseConnectionText(tt.text)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if s.Kind != tt.kind || settingsOf(s.Options) != settingsOf(tt.want) || s.Link.Host != tt.host {
				t.Fatalf("got kind %v, options %+v, host %q; want %v, %+v, %q", s.Kind, s.Options, s.Link.Host, tt.kind, tt.want, tt.host)
			}
		})
	}
}

func TestParseConnectionTextShowsPunycode(t *testing.T) {
	s, err := app.ParseConnectionText("https://bücher.example/fhir")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Link.IDN() || s.Link.ASCIIHost != "xn--bcher-kva.example" {
		t.Fatalf("ASCII host %q", s.Link.ASCIIHost)
	}
}

func TestParseConnectionTextRefusesHostileContent(t *testing.T) {
	tests := []struct{ name, text, say string }{
		{"javascript", "javascript:alert(document.cookie)", "not a web link"},
		{"data", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "not a web link"},
		{"file", "file:///etc/passwd", "not a web link"},
		{"user@host", "https://referrals.example.org@evil.example/fhir", "'@'"},
		{"user@host in iss", "https://ehr.example/launch?iss=https%3A%2F%2Fme%40evil.example%2Ffhir", "'@'"},
		{"plain http", "http://referrals.example.org/fhir", "not secure"},
		{"mixed script", "https://pаypal.example/fhir", "mixes alphabets"},
		{"mixed script in iss", "https://ok.example/launch?iss=https%3A%2F%2Fp%D0%B0ypal.example%2Ffhir", "mixes alphabets"},
		{"whole-script look-alike", "https://аррӏе.com/fhir", "only look like"},
		{"bidi override", "https://referrals.example.org/\u202egpj.fhir", "hidden"},
		{"zero-width space", "https://refer\u200brals.example.org/fhir", "hidden"},
		{"encoded bidi in iss", "https://ok.example/launch?iss=https%3A%2F%2Fok.example%2F%E2%80%AEfhir", "hidden"},
		{"invalid UTF-8", "https://referrals.example.org/\xff\xfe", "damaged"},
		{"too long", "https://referrals.example.org/" + strings.Repeat("a", 2049), "too long"},
		{"duplicate client id", "https://r.example/fhir?iss=https%3A%2F%2Fr.example%2Ffhir&client_id=a&client_id=b", "more than once"},
		{"low redirect port", "https://r.example/fhir?iss=https%3A%2F%2Fr.example%2Ffhir&redirect_port=80", "1024"},
		{"owner path trick", "https://r.example/fhir?iss=https%3A%2F%2Fr.example%2Ffhir&owner=Organization%2F..%2Fx", "Organization/123"},
		{"client id with space", "https://r.example/fhir?iss=https%3A%2F%2Fr.example%2Ffhir&client_id=a%20b", "client id"},
		{"name with bidi", "https://r.example/fhir?iss=https%3A%2F%2Fr.example%2Ffhir&name=Bank%E2%80%AEknaB", "hidden"},
		{"name with newline", "https://r.example/fhir?iss=https%3A%2F%2Fr.example%2Ffhir&name=a%0Ab", "hidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := app.ParseConnectionText(tt.text)
			if err == nil {
				t.Fatal("accepted")
			}
			if say := app.Explain(err); !strings.Contains(say, tt.say) {
				t.Fatalf("message %q does not say %q", say, tt.say)
			}
		})
	}
}

func TestParseConnectionTextRecognisesHealthRecords(t *testing.T) {
	for _, text := range []string{
		"shlink:/eyJ1cmwiOiJodHRwczovL2V4YW1wbGUub3JnL3NobCIsImZsYWciOiJMUCIsImtleSI6ImFiYyJ9",
		"https://viewer.example/#shlink:/eyJ1cmwiOiJodHRwczovL2V4YW1wbGUub3JnIn0",
		"SHC:/56762959532654603460292540772804336028702864716745",
	} {
		_, err := app.ParseConnectionText(text)
		if !errors.Is(err, app.ErrHealthRecord) {
			t.Fatalf("%.20s…: got %v, want a health record", text, err)
		}
		if say := app.Explain(err); !strings.Contains(say, "personal health record, not a referral platform") {
			t.Fatalf("message %q", say)
		}
	}
}

func TestConnectionLinkRoundTrip(t *testing.T) {
	src := app.Source{
		FHIRBase: "https://bücher.example/fhir/R4", ClientID: "rd-4711", RedirectPort: 53682,
		Owner: "Organization/cbo-42", Name: "Café & Referrals + Co",
	}
	link, err := app.ConnectionLink(src)
	if err != nil {
		t.Fatal(err)
	}
	s, err := app.ParseConnectionText(link)
	if err != nil {
		t.Fatalf("its own link refused: %v", err)
	}
	want := app.ConnectOptions{Link: src.FHIRBase, ClientID: src.ClientID, RedirectPort: src.RedirectPort, Owner: src.Owner, Name: src.Name}
	if s.Kind != app.LinkReferralDesk || settingsOf(s.Options) != settingsOf(want) {
		t.Fatalf("round trip gave %+v (kind %v), want %+v", s.Options, s.Kind, want)
	}
	if !strings.HasPrefix(link, "https://bücher.example/fhir/R4?iss=") {
		t.Fatalf("link %q does not start with the platform's address", link)
	}
}

func TestConnectionLinkLeavesOutEmptySettings(t *testing.T) {
	link, err := app.ConnectionLink(app.Source{FHIRBase: "https://r.example/fhir"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://r.example/fhir?iss=https%3A%2F%2Fr.example%2Ffhir"; link != want {
		t.Fatalf("got %q, want %q", link, want)
	}
}

// Settings typed in the window's Advanced fields or on the command line are
// held to the rules of a connection link's parameters, and refused in words
// about what was typed, not about a link.
func TestTypedSettingsFollowTheLinkRules(t *testing.T) {
	o, err := app.TypedSettings(" rd-4711 ", "53682", "Organization/cbo-42", "Eastside Referrals")
	if err != nil || settingsOf(o) != (linkSettings{"", "rd-4711", 53682, "Organization/cbo-42", "Eastside Referrals"}) {
		t.Fatalf("valid settings: %+v, %v", settingsOf(o), err)
	}
	if o, err := app.TypedSettings("", "", "", ""); err != nil || settingsOf(o) != (linkSettings{}) {
		t.Fatalf("empty settings: %+v, %v; want none set", settingsOf(o), err)
	}
	base := "https://r.example/fhir?iss=https%3A%2F%2Fr.example%2Ffhir&"
	for _, tt := range []struct {
		name, param, value string
		typed              [4]string
		say                string
	}{
		{"client id with a space", "client_id", "rd%204711", [4]string{"rd 4711", "", "", ""}, `"rd 4711" cannot be a client id`},
		{"port below 1024", "redirect_port", "80", [4]string{"", "80", "", ""}, "redirect port must be a number from 1024 to 65535"},
		{"port not a number", "redirect_port", "eight", [4]string{"", "eight", "", ""}, "redirect port must be a number from 1024 to 65535"},
		{"owner not a reference", "owner", "cbo-42", [4]string{"", "", "cbo-42", ""}, `"cbo-42" is not a reference`},
		{"owner path trick", "owner", "Organization%2F..%2Fx%2Fy", [4]string{"", "", "Organization/../x/y", ""}, "is not a reference"},
		{"name with a bidi control", "name", "Eastside%E2%80%AE", [4]string{"", "", "", "Eastside\u202e"}, "without hidden characters"},
		{"name too long", "name", strings.Repeat("n", 81), [4]string{"", "", "", strings.Repeat("n", 81)}, "at most 80 characters"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := app.ParseConnectionText(base + tt.param + "=" + tt.value); err == nil {
				t.Errorf("a link with %s=%s was accepted", tt.param, tt.value)
			}
			_, err := app.TypedSettings(tt.typed[0], tt.typed[1], tt.typed[2], tt.typed[3])
			if say := app.Explain(err); err == nil || !strings.Contains(say, tt.say) || strings.Contains(say, "link") {
				t.Errorf("typed %q: %q; want it refused saying %q, without speaking of a link", tt.typed, say, tt.say)
			}
		})
	}
}
