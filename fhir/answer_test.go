package fhir

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/fhir/wire"
)

// A Retry-After date is read against the platform's own clock (its Date
// header), whatever this computer's says.
func TestRetryAfterDateByThePlatformsClock(t *testing.T) {
	platformNow := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC) // far from time.Now
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", platformNow.Format(http.TimeFormat))
		w.Header().Set("Retry-After", platformNow.Add(90*time.Second).Format(http.TimeFormat))
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	c, _ := NewClient(srv.URL+"/fhir", nil, nil)
	_, err := c.Read(context.Background(), "Task", "t1")
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("a 429: %v, want a FHIR error", err)
	}
	if fe.Kind != KindRateLimited || fe.RetryAfter != 90*time.Second {
		t.Fatalf("a 429 asking for 90 s by the platform's clock: %v, retry after %v", err, fe.RetryAfter)
	}
}

// An answer whose body does not arrive whole is no damaged answer: the
// platform could not be reached, or was very slow; one too large is refused.
func TestAnAnswerThatDidNotArriveWhole(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/fhir/Task/cut":
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte(`{"resourceType":"Task",`))
			http.NewResponseController(w).Flush()
			panic(http.ErrAbortHandler) // the connection drops
		case "/fhir/Task/slow":
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte(`{"resourceType":"Task",`))
			http.NewResponseController(w).Flush()
			select {
			case <-r.Context().Done():
			case <-release:
			}
		case "/fhir/Task/huge":
			w.Write([]byte(`{"resourceType":"Task","id":"huge","text":"`))
			for range 40 {
				if _, err := w.Write([]byte(strings.Repeat("a", 1<<10))); err != nil {
					return
				}
			}
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	c, _ := NewClient(srv.URL+"/fhir", &http.Client{Timeout: 300 * time.Millisecond}, nil)
	c.MaxBody = 16 << 10
	for _, tc := range []struct {
		id   string
		kind Kind
		slow bool
		is   error
	}{
		{"cut", KindOffline, false, nil},
		{"slow", KindOffline, true, wire.ErrSlow},
		{"huge", KindBadResponse, false, wire.ErrTooLarge},
	} {
		_, err := c.Read(context.Background(), "Task", tc.id)
		if KindOf(err) != tc.kind || IsSlow(err) != tc.slow || (tc.is != nil && !errors.Is(err, tc.is)) {
			t.Errorf("Task/%s: %v (kind %v, slow %v); want kind %v, slow %v", tc.id, err, KindOf(err), IsSlow(err), tc.kind, tc.slow)
		}
	}
}
