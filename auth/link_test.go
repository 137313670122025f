package auth

import (
	"strings"
	"testing"
)

func TestNormalizeFHIRBase(t *testing.T) {
	for raw, want := range map[string]string{
		"https://fhir.example.org/r4":                                                        "https://fhir.example.org/r4",
		"  https://fhir.example.org/r4/ \n":                                                  "https://fhir.example.org/r4",
		"https://fhir.example.org/r4/metadata":                                               "https://fhir.example.org/r4",
		"https://fhir.example.org/r4/metadata/":                                              "https://fhir.example.org/r4",
		"https://fhir.example.org/r4/.well-known/smart-configuration":                        "https://fhir.example.org/r4",
		"https://fhir.example.org/.well-known/smart-configuration":                           "https://fhir.example.org",
		"HTTPS://FHIR.Example.ORG/R4":                                                        "https://fhir.example.org/R4",
		"https://fhir.example.org:8443/r4":                                                   "https://fhir.example.org:8443/r4",
		"https://app.example.org/launch?iss=https%3A%2F%2Ffhir.example.org%2Fr4&launch=xyz":  "https://fhir.example.org/r4",
		"https://app.example.org/launch?launch=xyz&iss=https://fhir.example.org/r4/metadata": "https://fhir.example.org/r4",
		"http://127.0.0.1:8080/fhir":                                                         "http://127.0.0.1:8080/fhir",
		"http://localhost:8080/fhir/":                                                        "http://localhost:8080/fhir",
		"http://[::1]:8080/fhir":                                                             "http://[::1]:8080/fhir",
		"https://bücher.example/fhir":                                                        "https://bücher.example/fhir", // IDN: shown with punycode by the UI
		"https://xn--bcher-kva.example/fhir":                                                 "https://xn--bcher-kva.example/fhir",
		"https://fhir.example.org/r4/Patient%20Data":                                         "https://fhir.example.org/r4/Patient%20Data",
	} {
		got, err := NormalizeFHIRBase(raw)
		if err != nil || got != want {
			t.Errorf("NormalizeFHIRBase(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
}

func TestNormalizeFHIRBaseRefuses(t *testing.T) {
	for raw, msg := range map[string]string{
		"":                                                                           "empty",
		"http://fhir.example.org/r4":                                                 "This link is not secure (http). Ask the platform for its https link.",
		"http://127.0.0.2.example.org/fhir":                                          "not secure (http)",
		"javascript:alert(document.cookie)":                                          "not a web link (javascript:)",
		"JavaScript:alert(1)":                                                        "not a web link (javascript:)",
		"data:text/html,<script>x</script>":                                          "not a web link (data:)",
		"file:///etc/passwd":                                                         "not a web link (file:)",
		"ftp://fhir.example.org/r4":                                                  "not a web link (ftp:)",
		"https://fhir.example.org@evil.example/r4":                                   "name and '@'",
		"https://user:pass@fhir.example.org/r4":                                      "name and '@'",
		"https://evil.example\\@fhir.example.org/r4":                                 "backslash",
		"https://fhir.example.org/r4\u202e":                                          "hidden or invisible",
		"https://fhir\u200b.example.org/r4":                                          "hidden or invisible",
		"https://fhir.example.org/\u2066r4":                                          "hidden or invisible",
		"https://fhir.example.org/%E2%80%8Br4":                                       "hidden or invisible",
		"https://%E2%80%AEfhir.example.org/r4":                                       "hidden or invisible",
		"https://fhir.example.org/r\u00004":                                          "hidden or invisible",
		"https://fhir.example.org/r 4":                                               "hidden or invisible",
		"https://fhir.example.org/\xffr4":                                            "damaged characters",
		"https://fhir.example.org/" + strings.Repeat("a", 2048):                      "too long",
		"https://fhir.example.org/r4#Patient":                                        "'#' part",
		"https://fhir.example.org/r4?_format=json":                                   "extra parts after '?'",
		"https://app.example.org/launch?iss=http://fhir.example.org/r4":              "not secure (http)",
		"https://app.example.org/launch?iss=javascript:alert(1)":                     "not a web link",
		"https://app.example.org/launch?iss=https://a.example&iss=https://b.example": "more than one server",
		"https://app.example.org/launch?iss=https://app.example.org/launch%3Fiss%3Dhttps://x.example": "extra parts after '?'",
		"http://app.example.org/launch?iss=https://fhir.example.org/r4":                               "not secure (http)",
		"fhir.example.org/r4":               "does not start with https://",
		"https:fhir.example.org/r4":         "no server name",
		"https:///r4":                       "no server name",
		"https://fhir.example.org:99999/r4": "impossible port",
	} {
		_, err := NormalizeFHIRBase(raw)
		kindIs(t, err, KindLink, msg)
	}
}

func TestCheckEndpoint(t *testing.T) {
	for _, ok := range []string{"https://auth.example.org/token", "http://127.0.0.1:9/t", "http://127.8.9.10/t", "http://localhost/t", "http://[::1]/t", "https://auth.example.org/authorize?tenant=a"} {
		if _, err := CheckEndpoint(ok); err != nil {
			t.Errorf("CheckEndpoint(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"/token", "token", "http://auth.example.org/token", "https://u@auth.example.org/token", "https://auth.example.org/token#x",
		" https://auth.example.org/token", "https://auth.example.org/to\u200bken", "javascript:alert(1)", "http://[::ffff:127.0.0.1%25eth0]/t", "", "https://"} {
		if _, err := CheckEndpoint(bad); KindOf(err) != KindLink {
			t.Errorf("CheckEndpoint(%q) = %v, want a link error", bad, err)
		}
	}
}
