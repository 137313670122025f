package fhirtest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// TestIncrementalSync checks the watermark rule: a search with
// _lastUpdated=gt<Bundle.meta.lastUpdated of the previous search> returns
// exactly what was written after that search, even when the clock stands
// still (every write and search then falls in the same millisecond).
func TestIncrementalSync(t *testing.T) {
	for name, now := range map[string]func() time.Time{
		"frozen clock": newClock().Now,
		"real clock":   time.Now,
	} {
		t.Run(name, func(t *testing.T) {
			s := fhirtest.New(t, fhirtest.Options{Referrals: 10, Now: now})
			tok := token(t, s)
			owned := "/Task?owner=" + referralgen.OwnerOrganization + "&_lastUpdated=gt"
			b := search(t, s, tok, "/Task?_count=1000")
			watermark := b.Meta.LastUpdated
			if _, err := time.Parse("2006-01-02T15:04:05.000Z", watermark); err != nil {
				t.Fatalf("Bundle.meta.lastUpdated %q is not a UTC instant with milliseconds", watermark)
			}

			for round := range 3 {
				// Nothing changed: nothing comes back.
				if got := ids(t, search(t, s, tok, owned+url.QueryEscape(watermark)), "match"); len(got) != 0 {
					t.Fatalf("round %d: %v changed after %s without a write", round, got, watermark)
				}
				// A new referral, a requester's edit and our own update.
				added := s.AddReferral(referralgen.Spec{Status: fhir.StatusRequested, Owner: referralgen.OwnerOrganization})
				edited := s.AddReferral(referralgen.Spec{Status: fhir.StatusAccepted, Owner: referralgen.OwnerOrganization})
				b := search(t, s, tok, owned+url.QueryEscape(watermark))
				watermark = b.Meta.LastUpdated
				s.UpdateAsRequester("Task", edited, func(m map[string]any) { m["priority"] = "urgent" })
				task, etag := readTask(t, s, tok, added)
				task["status"] = fhir.StatusAccepted
				resp, body := putTask(t, s, tok, task, etag)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("PUT: %d %s", resp.StatusCode, body)
				}
				var put struct{ Meta fhir.Meta }
				json.Unmarshal(body, &put)
				if put.Meta.LastUpdated <= watermark {
					t.Errorf("write stamped %s, not after the search at %s", put.Meta.LastUpdated, watermark)
				}
				got := ids(t, search(t, s, tok, owned+url.QueryEscape(watermark)), "match")
				slices.Sort(got)
				want := []string{"Task/" + added, "Task/" + edited}
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("round %d: changed after %s = %v, want %v", round, watermark, got, want)
				}
				watermark = search(t, s, tok, owned+url.QueryEscape(watermark)).Meta.LastUpdated
			}
		})
	}
}

func TestLastUpdatedPrefixes(t *testing.T) {
	c := newClock()
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1, Now: c.Now, AccessTokenLifetime: 24 * time.Hour})
	tok := token(t, s)
	a := s.AddReferral(referralgen.Spec{})
	c.Add(time.Hour)
	b := s.AddReferral(referralgen.Spec{})
	rawA, _ := s.Resource("Task", a)
	var ta struct{ Meta fhir.Meta }
	json.Unmarshal(rawA, &ta)
	at := ta.Meta.LastUpdated
	for _, q := range []struct {
		value string
		want  []string
	}{
		{"eq" + at, []string{a}},
		{at, []string{a}},
		{"ge" + at, []string{a, b}},
		{"gt" + at, []string{b}},
		{"le" + at, []string{a}},
		{"lt" + at, nil},
		{"ne" + at, []string{b}},
		{"eq" + at[:10], []string{a, b}}, // a day covers both
		{"gt" + at[:16] + "Z", []string{b}},
		{"gt" + at[:16] + "Z&_lastUpdated=lt" + at[:10] + "T23:59:59Z", []string{b}},
	} {
		got := ids(t, search(t, s, tok, "/Task?_lastUpdated="+q.value), "match")
		var want []string
		for _, id := range q.want {
			want = append(want, "Task/"+id)
		}
		if !slices.Equal(got, want) {
			t.Errorf("_lastUpdated=%s: %v, want %v", q.value, got, want)
		}
	}
}
