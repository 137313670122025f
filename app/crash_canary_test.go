package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// canaryEnv asks a re-executed test binary to be Referral Desk for one step
// of TestNoMarkerOnDiskAfterACrash: "first" (protect the folder, connect,
// sync), "sync" or "decline".
const canaryEnv = "REFERRALDESK_CANARY_STEP"

const (
	canaryPassphrase = "canary passphrase of five words"
	canaryReason     = "Canary-reason-5d2e moved in with Canaryname2"
)

// canaryStep is the child's side: one step against the platform, with the
// data folder and platform the parent gave, then exit 0, or 1 saying why.
func canaryStep(step string) {
	if err := runCanaryStep(step, os.Getenv("CANARY_DIR"), os.Getenv("CANARY_PLATFORM")); err != nil {
		fmt.Fprintln(os.Stderr, step+":", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runCanaryStep(step, dir, platform string) error {
	ctx := context.Background()
	a, err := app.Open(dir, app.Options{PageSize: 20,
		OpenBrowser: fhirtest.ScriptedBrowser(platform, fhirtest.DemoUser, fhirtest.DemoPassword)})
	if err != nil {
		return err
	}
	defer a.Close(5 * time.Second)
	if a.Protection(ctx) == app.Unprotected {
		_, err = a.SetUp(ctx, canaryPassphrase, false)
	} else {
		err = a.Unlock(ctx, canaryPassphrase, false)
	}
	if err != nil {
		return err
	}
	switch step {
	case "first":
		src, err := a.Connect(ctx, app.ConnectOptions{Link: platform + "/fhir"})
		if err != nil {
			return err
		}
		_, err = a.Sync(ctx, src.ID)
		return err
	case "sync":
		reps, err := a.SyncAll(ctx)
		for _, r := range reps {
			err = cmpOr(err, r.Err)
		}
		return err
	case "decline":
		rs, err := a.Inbox(ctx, app.InboxFilter{})
		if err != nil {
			return err
		}
		for _, r := range rs {
			if app.CanMove(r.Status, "rejected") {
				_, err = a.SetStatus(ctx, r.SourceID, r.TaskID, "rejected", canaryReason)
				return err
			}
		}
		return fmt.Errorf("no referral to decline among %d", len(rs))
	}
	return fmt.Errorf("no step %q", step)
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// tokensSeen records the tokens the platform sees: access tokens as they
// are used, refresh tokens as they are spent.
type tokensSeen struct {
	mu     sync.Mutex
	tokens map[string]bool
}

func (s *tokensSeen) note(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		s.tokens[tok] = true
	}
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/token") {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("refresh_token") != "" {
			s.tokens[form.Get("refresh_token")] = true
		}
	}
}

func (s *tokensSeen) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for t := range s.tokens {
		out = append(out, t)
	}
	return out
}

// Referral Desk, killed (SIGKILL) in the middle of its first sync and run
// again, leaves no person's name, phone, address, requester's note, decline
// reason or token in any file of its data folder, its log or the temporary
// folder: as they are, in UTF-16 or in base64.
func TestNoMarkerOnDiskAfterACrash(t *testing.T) {
	server := fhirtest.New(t, fhirtest.Options{Referrals: 120})
	markers := []string{canaryReason, "Canary-reason-5d2e"}
	for i := 1; i <= 3; i++ {
		markers = append(markers, plantPerson(t, server, i)...)
	}
	seen := &tokensSeen{tokens: map[string]bool{}}
	// The first run's third search page waits until the run has been
	// killed: the kill falls in the middle of the sync.
	var firstRun atomic.Bool
	var pages atomic.Int32
	thirdPage, killed := make(chan struct{}), make(chan struct{})
	server.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		seen.note(r)
		if firstRun.Load() && r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/Task") && pages.Add(1) == 3 {
			close(thirdPage)
			<-killed
		}
		return false
	})
	dir, tmp := t.TempDir(), t.TempDir()
	child := canaryChild(t, "first", dir, tmp, server.URL())
	var out bytes.Buffer
	child.Stdout, child.Stderr = &out, &out
	firstRun.Store(true)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() {
		select {
		case <-thirdPage:
			child.Process.Kill()
		case <-t.Context().Done():
		}
	}()
	go func() { exited <- child.Wait() }()
	err := <-exited
	firstRun.Store(false)
	select {
	case <-thirdPage:
		close(killed)
	default:
		t.Fatalf("the first run ended before its third page (%v): %s", err, out.String())
	}
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the first run was not killed: %v", err)
	}
	server.ExpireAccessTokens() // the next run refreshes: a refresh token is seen
	for _, step := range []string{"sync", "decline"} {
		if out, err := canaryChild(t, step, dir, tmp, server.URL()).CombinedOutput(); err != nil {
			t.Fatalf("%s after the crash: %v: %s", step, err, out)
		}
	}
	markers = append(markers, seen.list()...)
	if len(seen.list()) < 2 {
		t.Fatalf("only %d tokens seen; the test would prove little", len(seen.list()))
	}
	for _, d := range []string{dir, tmp} {
		if found := markersIn(t, d, markers); len(found) > 0 {
			t.Errorf("on disk after the crash: %s", strings.Join(found, "; "))
		}
	}
}

// plantPerson gives referral i's person a name, phone and address, and its
// request a note, that appear nowhere else; it returns them.
func plantPerson(t *testing.T, s *fhirtest.Server, i int) []string {
	t.Helper()
	name, phone := fmt.Sprintf("Canaryname%d", i), fmt.Sprintf("555-01%02d-7731", i)
	street, note := fmt.Sprintf("%d Canarystreet", 100+i), fmt.Sprintf("Canary-note-%d: knock twice", i)
	err := s.UpdateAsRequester("Patient", fmt.Sprintf("pat-%05d", i), func(p map[string]any) {
		p["name"] = []any{map[string]any{"given": []any{name}, "family": "Zqwerty"}}
		p["telecom"] = []any{map[string]any{"system": "phone", "value": phone}}
		p["address"] = []any{map[string]any{"line": []any{street}, "city": "Canarytown"}}
	})
	if err == nil {
		err = s.UpdateAsRequester("ServiceRequest", fmt.Sprintf("sr-%05d", i), func(sr map[string]any) {
			sr["note"] = []any{map[string]any{"text": note}}
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return []string{name, phone, street, note}
}

// canaryChild is this test binary run as Referral Desk for one step.
func canaryChild(t *testing.T, step, dir, tmp, platform string) *exec.Cmd {
	return childCommand(t, canaryEnv+"="+step, "CANARY_DIR="+dir, "CANARY_PLATFORM="+platform, "TMPDIR="+tmp)
}

// childCommand is this test binary, run with env added to do what TestMain
// reads from it instead of running tests.
func childCommand(t *testing.T, env ...string) *exec.Cmd {
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// markersIn lists the files under dir holding a marker, in any of its forms.
func markersIn(t *testing.T, dir string, markers []string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range markers {
			for _, form := range forms(m) {
				if bytes.Contains(b, form) {
					found = append(found, fmt.Sprintf("%s holds %.12q…", filepath.Base(p), m))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// forms are a marker as it is, in UTF-16 and in base64.
func forms(m string) [][]byte {
	u := utf16.Encode([]rune(m))
	wide := make([]byte, 0, 2*len(u))
	for _, c := range u {
		wide = append(wide, byte(c), byte(c>>8))
	}
	return [][]byte{[]byte(m), wide, []byte(base64.StdEncoding.EncodeToString([]byte(m)))}
}
