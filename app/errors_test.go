package app

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/auth"
	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/storage"
)

// The app decides with kinds: fhir's and auth's own kinds, and the store's
// and the context's errors, each mean one of the app's.
func TestKindOfMapsEveryLayer(t *testing.T) {
	refresh := func(k auth.Kind, r auth.Reason) error {
		return &fhir.Error{Op: "search Task", Kind: fhir.KindUnauthorized, Err: &auth.Error{Kind: k, Reason: r}}
	}
	for _, c := range []struct {
		name string
		err  error
		want Kind
	}{
		{"503", &fhir.Error{Kind: fhir.KindServer, Status: 503}, KindTemporary},
		{"429", &fhir.Error{Kind: fhir.KindRateLimited, Status: 429}, KindTemporary},
		{"no network", &fhir.Error{Kind: fhir.KindOffline}, KindOffline},
		{"401 after a refresh", &fhir.Error{Kind: fhir.KindUnauthorized, Status: 401}, KindSignInNeeded},
		{"412", &fhir.Error{Kind: fhir.KindConflict, Status: 412}, KindConflict},
		{"off-origin next link", &fhir.Error{Kind: fhir.KindRefused}, KindUnsafe},
		{"grant ended", refresh(auth.KindSignInNeeded, ""), KindSignInNeeded},
		{"token service down", refresh(auth.KindTemporary, ""), KindTemporary},
		{"token service unreachable", refresh(auth.KindTemporary, auth.ReasonUnreachable), KindOffline},
		{"refreshed token not saved", refresh(auth.KindLocal, ""), KindLocal},
		{"refresh given up by the caller", refresh(auth.KindCanceled, ""), KindCanceled},
		{"http link", &auth.Error{Kind: auth.KindLink}, KindUnsafe},
		{"store", fmt.Errorf("reading: %w", storage.ErrNotFound), KindNotFound},
		{"cancelled sync", &fhir.Error{Kind: fhir.KindOffline, Err: context.Canceled}, KindCanceled},
		{"app error says its kind", &Error{Kind: KindConflict, Err: &fhir.Error{Kind: fhir.KindServer}}, KindConflict},
		{"app error of its cause's kind", &Error{Reason: reasonRoleUnread, Err: &fhir.Error{Kind: fhir.KindForbidden}}, KindRefused},
		{"nobody classified it", errors.New("index out of range"), KindInternal},
	} {
		if got := KindOf(c.err); got != c.want {
			t.Errorf("%s: KindOf = %v, want %v", c.name, got, c.want)
		}
	}
}

// What Explain cannot say better it says in the case worker's words and
// points to the log; the error's own text never reaches the window.
func TestExplainNeverShowsAnErrorsText(t *testing.T) {
	err := fmt.Errorf("saving page 3: %w", errors.New("disk I/O error: database is locked"))
	for _, say := range []string{Explain(err), Explain(&Error{Op: "sync", Err: err})} {
		if strings.Contains(say, "database is locked") || !strings.HasPrefix(say, "Something went wrong inside Referral Desk") {
			t.Errorf("Explain said %q", say)
		}
	}
	dir := t.TempDir()
	a, err2 := Open(dir, Options{})
	if err2 != nil {
		t.Fatal(err2)
	}
	defer a.Close(0)
	if say := a.Explain(err); !strings.Contains(say, filepath.Join(dir, LogFileName)) {
		t.Errorf("App.Explain said %q; want it to name the log file", say)
	}
	if got := (&Error{Op: "sync", Reason: reasonSignInAgain, Platform: "Eastside", Err: err}).Error(); got != "app: sync: sign-in needed: saving page 3: disk I/O error: database is locked" {
		t.Errorf("Error() = %q; want the technical text", got)
	}
}

// Every reason the app gives has a sentence, with no detail left unfilled.
func TestEveryReasonHasASentence(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "sentences.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Reason" {
				continue
			}
			r := Reason(strings.Trim(v.Values[0].(*ast.BasicLit).Value, `"`))
			if sentences[r] == "" {
				t.Errorf("reason %s has no sentence", v.Names[0])
			}
			full := &Error{Reason: r, Platform: "P", Value: "V", Status: "S", To: "T", Action: "A", Host: "H",
				Path: "/p", List: []string{"L"}, N: 1, Of: 2, Err: errors.New("x")}
			if say := sentence(full, "/log"); strings.ContainsAny(say, "{}") {
				t.Errorf("reason %s: %q", v.Names[0], say)
			}
			n++
		}
	}
	if n != len(sentences) {
		t.Errorf("%d reasons, %d sentences", n, len(sentences))
	}
}
