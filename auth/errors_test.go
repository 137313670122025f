package auth

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The text of an Error is for the log: what auth was doing, why, and the cause. The sentence is the case
// worker's, and app.Explain shows it; neither stands in for the other.
func TestErrorTextIsTechnicalAndTheSentenceIsSeparate(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := Discover(context.Background(), nil, srv.URL+"/fhir")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Discover: %v, want an *Error", err)
	}
	if got, want := err.Error(), "auth: discover: no sign-in settings (HTTP 404): HTTP 404"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := e.Sentence(); !strings.HasPrefix(got, "The platform has no sign-in settings at this address (HTTP 404).") {
		t.Errorf("Sentence() = %q", got)
	}
}

// Every reason this package gives has a sentence: app.Explain never falls back for one of ours.
func TestEveryReasonHasASentence(t *testing.T) {
	for _, err := range []error{
		&Error{Reason: reasonLinkScheme, Field: "javascript"},
		&Error{Reason: reasonPortInUse, Port: 8080},
	} {
		if s := sentence(err); s == "" || strings.Contains(s, "{") {
			t.Errorf("%v: sentence %q", err, s)
		}
	}
	f, err := parser.ParseFile(token.NewFileSet(), "sentences.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
			for _, s := range g.Specs {
				v := s.(*ast.ValueSpec)
				if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Reason" {
					continue
				}
				lit := v.Values[0].(*ast.BasicLit).Value
				if s := sentences[Reason(strings.Trim(lit, `"`))]; s == "" || !strings.HasSuffix(s, ".") {
					t.Errorf("reason %s (%s): sentence %q", v.Names[0], lit, s)
				}
				n++
			}
		}
	}
	if n != len(sentences) {
		t.Errorf("%d reasons, %d sentences", n, len(sentences))
	}
}

// An error found by an inner call is named after the outermost call, the one the caller made.
func TestOpIsTheCallersCall(t *testing.T) {
	_, err := Discover(context.Background(), nil, "http://referrals.example.org/fhir")
	if !strings.HasPrefix(err.Error(), "auth: discover: http off this computer") {
		t.Errorf("Error() = %q", err)
	}
}
