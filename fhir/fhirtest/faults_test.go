package fhirtest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// get sends GET path with tok and returns the response with what of its
// body could be read, and the error reading it.
func get(t *testing.T, hc *http.Client, s *fhirtest.Server, tok, path string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.FHIRBase()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// fates is what the faults did to each request, by request path and query.
func fates(s *fhirtest.Server) map[string]string {
	out := map[string]string{}
	for _, in := range s.Injected() {
		out[in.Path] = fmt.Sprint(in.Fault, " ", in.Status)
	}
	return out
}

func TestFaultsAreOffByDefault(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{})
	tok := token(t, s)
	for range 20 {
		if resp, _ := do(t, s, tok, http.MethodGet, "/Task", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("a platform without faults answered %d", resp.StatusCode)
		}
	}
	if in := s.Injected(); len(in) != 0 {
		t.Fatalf("a platform without faults injected %+v", in)
	}
}

// The same seed makes the same requests meet the same faults, even when
// they arrive concurrently in another order; another seed, other faults.
func TestFaultsAreTheSameUnderTheSameSeed(t *testing.T) {
	run := func(seed uint64) map[string]string {
		s := fhirtest.New(t, fhirtest.Options{})
		tok := token(t, s)
		s.SetFaults(fhirtest.Faults{Seed: seed, ServerErrorRate: 0.3, ThrottleRate: 0.2})
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				req, _ := http.NewRequest(http.MethodGet, s.FHIRBase()+"/Patient/p"+strconv.Itoa(i), nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
			})
		}
		wg.Wait()
		return fates(s)
	}
	first, again, other := run(7), run(7), run(8)
	if len(first) == 0 || len(first) == 40 {
		t.Fatalf("30%% server errors and 20%% throttles struck %d of 40 requests", len(first))
	}
	if fmt.Sprint(first) != fmt.Sprint(again) {
		t.Errorf("seed 7 struck differently in two runs:\n%v\n%v", first, again)
	}
	if fmt.Sprint(first) == fmt.Sprint(other) {
		t.Errorf("seeds 7 and 8 struck the same requests: %v", first)
	}
}

func TestServerErrorsAnswerWithAnOutcome(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{})
	tok := token(t, s)
	s.SetFaults(fhirtest.Faults{ServerErrorRate: 1})
	resp, body := do(t, s, tok, http.MethodGet, "/Task", nil)
	if resp.StatusCode < 500 || resp.StatusCode > 504 {
		t.Fatalf("a server error answered %d", resp.StatusCode)
	}
	outcome(t, body)
	if in := s.Injected(); len(in) != 1 || in[0].Fault != fhirtest.FaultServerError || in[0].Status != resp.StatusCode || in[0].Path != "/fhir/Task" {
		t.Errorf("recorded %+v for one server error %d on /fhir/Task", in, resp.StatusCode)
	}
}

// Discovery and the token endpoint answer whatever faults strike the API,
// so that a client can always connect.
func TestFaultsSpareDiscovery(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Faults: fhirtest.Faults{ServerErrorRate: 1}})
	for _, path := range []string{"/metadata", "/.well-known/smart-configuration"} {
		if resp, _ := do(t, s, "", http.MethodGet, path, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s answered %d under API faults", path, resp.StatusCode)
		}
	}
	token(t, s) // signs in, or fails the test
}

func TestThrottleSaysRetryAfterInSecondsOrAsADate(t *testing.T) {
	clock := fhirtest.NewClock(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC))
	s := fhirtest.New(t, fhirtest.Options{Now: clock.Now})
	tok := token(t, s)
	for _, c := range []struct {
		faults fhirtest.Faults
		want   string
	}{
		{fhirtest.Faults{ThrottleRate: 1, RetryAfter: 30 * time.Second}, "30"},
		{fhirtest.Faults{ThrottleRate: 1, RetryAfter: 1500 * time.Millisecond}, "2"},
		{fhirtest.Faults{ThrottleRate: 1, RetryAfter: 90 * time.Second, RetryAfterAsDate: true}, "Mon, 02 Mar 2026 09:31:30 GMT"},
		{fhirtest.Faults{ThrottleRate: 1}, ""},
	} {
		s.SetFaults(c.faults)
		resp, _ := do(t, s, tok, http.MethodGet, "/Task", nil)
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != c.want {
			t.Errorf("%+v: %d with Retry-After %q, want 429 with %q", c.faults, resp.StatusCode, resp.Header.Get("Retry-After"), c.want)
		}
	}
}

func TestResetCutsTheBodyHalfway(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{})
	tok := token(t, s)
	read := "/Task/" + firstTask(t, s) // the same bytes each time, unlike a page
	_, whole := do(t, s, tok, http.MethodGet, read, nil)
	s.SetFaults(fhirtest.Faults{ResetRate: 1})
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(hc.CloseIdleConnections)
	for range 20 {
		resp, body, err := get(t, hc, s, tok, read)
		if resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(whole)) || err == nil {
			t.Fatalf("a reset answer: %d, %d of %d bytes promised, read error %v", resp.StatusCode, len(body), resp.ContentLength, err)
		}
		if len(body) > len(whole)/2 || !bytes.Equal(body, whole[:len(body)]) {
			t.Fatalf("a reset answer gave %d bytes, not a beginning of at most half the %d", len(body), len(whole))
		}
	}
	if in := s.Injected(); len(in) != 20 || in[0].Fault != fhirtest.FaultReset {
		t.Errorf("recorded %d injections (first %+v) for 20 resets", len(in), in[0])
	}
}

func TestTrickleSendsTheWholeBodySlowly(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{})
	tok := token(t, s)
	read := "/Task/" + firstTask(t, s)
	_, whole := do(t, s, tok, http.MethodGet, read, nil)
	s.SetFaults(fhirtest.Faults{TrickleRate: 1, TrickleFor: 30 * time.Millisecond})
	if _, body, err := get(t, http.DefaultClient, s, tok, read); err != nil || !bytes.Equal(body, whole) {
		t.Fatalf("a trickled answer: %d of %d bytes, error %v", len(body), len(whole), err)
	}
	// A client that waits less than the trickle gives up while reading the body.
	s.SetFaults(fhirtest.Faults{TrickleRate: 1, TrickleFor: time.Hour})
	impatient := &http.Client{Timeout: 200 * time.Millisecond}
	resp, body, err := get(t, impatient, s, tok, "/Task")
	if resp.StatusCode != http.StatusOK || err == nil || !strings.Contains(err.Error(), "reading body") {
		t.Fatalf("a client waiting less than the trickle: %d, %d bytes, error %v; want the headers, then a timeout reading the body", resp.StatusCode, len(body), err)
	}
}

func TestDamagedResources(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: 3})
	tok := token(t, s)
	for _, c := range []struct {
		faults fhirtest.Faults
		fault  fhirtest.Fault
		want   error // ParseResource's error, nil for any
	}{
		{fhirtest.Faults{MalformedRate: 1}, fhirtest.FaultMalformed, nil},
		{fhirtest.Faults{DuplicateKeyRate: 1}, fhirtest.FaultDuplicateKey, fhir.ErrDuplicateMember},
	} {
		t.Run(string(c.fault), func(t *testing.T) {
			s.SetFaults(c.faults)
			before := len(s.Injected())
			resp, body := do(t, s, tok, http.MethodGet, "/Task", nil)
			var b fhir.Bundle
			if err := json.Unmarshal(body, &b); resp.StatusCode != http.StatusOK || err != nil || len(b.Entry) != 3 {
				t.Fatalf("a damaged page: %d, %d entries, %v; want the Bundle whole around its entries", resp.StatusCode, len(b.Entry), err)
			}
			var refs []string
			for _, e := range b.Entry {
				_, err := fhir.ParseResource(e.Resource)
				if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
					t.Errorf("a %s resource read with error %v, want %v", c.fault, err, c.want)
				}
				var id struct{ ID string }
				json.Unmarshal(e.Resource, &id)
				refs = append(refs, "Task/"+strings.TrimSuffix(id.ID, "-shadow"))
			}
			var recorded []string
			for _, in := range s.Injected()[before:] {
				if in.Fault != c.fault {
					t.Errorf("recorded %+v, want only %s", in, c.fault)
				}
				recorded = append(recorded, in.Ref)
			}
			if !slices.Equal(recorded, refs) {
				t.Errorf("recorded %v, the page had %v", recorded, refs)
			}
		})
	}
	s.SetFaults(fhirtest.Faults{MalformedRate: 1})
	if _, body := do(t, s, tok, http.MethodGet, "/Task/"+firstTask(t, s), nil); !bytes.Contains(body, []byte(`"meta":"`)) {
		t.Errorf("a malformed read kept its meta: %s", body)
	}
}

func firstTask(t *testing.T, s *fhirtest.Server) string {
	t.Helper()
	r, err := fhir.ParseResource(s.Resources("Task")[0])
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func TestOversizePagesAreStreamed(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: 2})
	tok := token(t, s)
	const size = 3 << 20
	for _, declared := range []bool{false, true} {
		s.SetFaults(fhirtest.Faults{OversizeRate: 1, OversizeBytes: size, OversizeDeclared: declared})
		resp, body := do(t, s, tok, http.MethodGet, "/Task", nil)
		wantLength := int64(-1)
		if declared {
			wantLength = size
		}
		var b fhir.Bundle
		if len(body) != size || resp.ContentLength != wantLength || json.Unmarshal(body, &b) != nil || len(b.Entry) != 2 {
			t.Errorf("declared %v: %d bytes, Content-Length %d, %d entries; want %d bytes of the same page, Content-Length %d",
				declared, len(body), resp.ContentLength, len(b.Entry), size, wantLength)
		}
	}
	// A read is not a page: it is sent as it is.
	if _, body := do(t, s, tok, http.MethodGet, "/Task/"+firstTask(t, s), nil); len(body) >= size {
		t.Errorf("a read was padded to %d bytes", len(body))
	}
}

func TestTokenOutage(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{})
	a := newApp(t, s)
	tr := a.signIn(appScopes)
	s.SetFaults(fhirtest.Faults{TokenOutageRate: 1})
	got, status := a.refresh(tr.RefreshToken, "")
	if status != http.StatusServiceUnavailable || got.Error != "temporarily_unavailable" {
		t.Fatalf("a refresh during an outage: %d %q", status, got.Error)
	}
	if resp, _ := do(t, s, tr.AccessToken, http.MethodGet, "/Task", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("the FHIR API answered %d during a token outage", resp.StatusCode)
	}
	s.SetFaults(fhirtest.Faults{})
	if _, status := a.refresh(tr.RefreshToken, ""); status != http.StatusOK {
		t.Errorf("after the outage the refresh token, never spent, answered %d", status)
	}
}

func TestRequesterEditsATaskOfThePageJustSent(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: 3})
	tok := token(t, s)
	s.SetFaults(fhirtest.Faults{RequesterEditRate: 1})
	page := search(t, s, tok, "/Task?_include=Task:focus")
	in := s.Injected()
	if len(in) != 1 || in[0].Fault != fhirtest.FaultRequesterEdit {
		t.Fatalf("recorded %+v after one Task page, want one requester edit", in)
	}
	if !slices.Contains(ids(t, page, "match"), in[0].Ref) {
		t.Fatalf("the requester edited %s, not on the page %v", in[0].Ref, ids(t, page, "match"))
	}
	_, id, _ := strings.Cut(in[0].Ref, "/")
	raw, _ := s.Resource("Task", id)
	now, _ := fhir.ParseResource(raw)
	for _, e := range page.Entry {
		if r, _ := fhir.ParseResource(e.Resource); r.Ref() == in[0].Ref && r.Meta.VersionID == now.Meta.VersionID {
			t.Errorf("%s is still at the version the page sent (%s)", in[0].Ref, now.Meta.VersionID)
		}
	}
	search(t, s, tok, "/Patient")
	if n := len(s.Injected()); n != 1 {
		t.Errorf("a page of Patients made the requester edit a Task: %d injections", n)
	}
}

func TestParseFaults(t *testing.T) {
	f, err := fhirtest.ParseFaults("latency=200ms, jitter=50ms,5xx=2%,429=0.01,retry-after=30s,retry-after-date,seed=7," +
		"reset=1%,trickle=1%,trickle-for=2m,malformed=0.5%,duplicate-key=0.5%,oversize=1%,oversize-bytes=1000,oversize-declared," +
		"token-outage=5%,requester-edits=10%")
	want := fhirtest.Faults{Seed: 7, Latency: 200 * time.Millisecond, Jitter: 50 * time.Millisecond, ServerErrorRate: 0.02,
		ThrottleRate: 0.01, ResetRate: 0.01, TrickleRate: 0.01, RetryAfter: 30 * time.Second, RetryAfterAsDate: true,
		TrickleFor: 2 * time.Minute, MalformedRate: 0.005, DuplicateKeyRate: 0.005, OversizeRate: 0.01, OversizeBytes: 1000,
		OversizeDeclared: true, TokenOutageRate: 0.05, RequesterEditRate: 0.1}
	if err != nil || f != want {
		t.Fatalf("ParseFaults = %+v, %v\nwant %+v", f, err, want)
	}
	for _, bad := range []string{"5xx=2", "latency=-1s", "lag=1s", "retry-after-date=yes", "5xx=60%,429=50%", "seed=x"} {
		if _, err := fhirtest.ParseFaults(bad); err == nil {
			t.Errorf("ParseFaults(%q) took it", bad)
		}
	}
	if f, err := fhirtest.ParseFaults(""); err != nil || f != (fhirtest.Faults{}) {
		t.Errorf("ParseFaults(\"\") = %+v, %v; want no faults", f, err)
	}
}
