package referralgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
)

var t0 = time.Date(2025, time.March, 4, 15, 4, 5, 123_000_000, time.UTC)

// authoredAt spreads referrals over time the way the demo platform might.
func authoredAt(i int) time.Time { return t0.Add(time.Duration(i) * 37 * time.Minute) }

func joined(rs []json.RawMessage) []byte {
	var b bytes.Buffer
	for _, r := range rs {
		b.Write(r)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// decode parses one generated resource into a generic map.
func decode(t testing.TB, raw json.RawMessage) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("invalid JSON %s: %v", raw, err)
	}
	return m
}

// byType indexes a referral's resources by resourceType (first of each type).
func byType(t testing.TB, rs []json.RawMessage) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, r := range rs {
		m := decode(t, r)
		if typ := m["resourceType"].(string); out[typ] == nil {
			out[typ] = m
		}
	}
	return out
}

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = mm[p]
	}
	s, _ := v.(string)
	return s
}

func TestReferralIsDeterministic(t *testing.T) {
	first := joined(New(42).Referral(500, t0, Spec{}))
	if again := joined(New(42).Referral(500, t0, Spec{})); !bytes.Equal(first, again) {
		t.Fatal("the same call gave different bytes")
	}

	g := New(42)
	for i := 1; i < 500; i++ {
		g.Referral(i, authoredAt(i), Spec{})
	}
	if later := joined(g.Referral(500, t0, Spec{})); !bytes.Equal(first, later) {
		t.Fatal("Referral(500) depends on the referrals generated before it")
	}

	if other := joined(New(43).Referral(500, t0, Spec{})); bytes.Equal(first, other) {
		t.Fatal("a different seed gave the same referral")
	}
	if !bytes.Equal(joined(New(1).Directory()), joined(New(2).Directory())) {
		t.Fatal("Directory depends on the seed")
	}
}

func TestConcurrentUse(t *testing.T) {
	g := New(8)
	want := make([][]byte, 200)
	for i := range want {
		want[i] = joined(g.Referral(i+1, authoredAt(i+1), Spec{}))
	}
	var wg sync.WaitGroup
	got := make([][]byte, len(want))
	for w := 0; w < 4; w++ {
		wg.Go(func() {
			for i := w; i < len(want); i += 4 {
				got[i] = joined(g.Referral(i+1, authoredAt(i+1), Spec{}))
			}
			g.Directory()
		})
	}
	wg.Wait()
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("referral %d differs when generated concurrently", i+1)
		}
	}
}

func TestDirectoryCopiesAreTheCallers(t *testing.T) {
	g := New(1)
	d := g.Directory()
	d[0][2] = 'X'
	if bytes.Equal(d[0], g.Directory()[0]) {
		t.Fatal("changing a returned resource changed the directory")
	}
}

func TestReferralOrderAndIDs(t *testing.T) {
	g := New(7)
	for i := 1; i <= 300; i++ {
		rs := g.Referral(i, authoredAt(i), Spec{})
		tk := decode(t, rs[0])
		if tk["resourceType"] != "Task" || tk["id"] != fmt.Sprintf("task-%05d", i) {
			t.Fatalf("referral %d starts with %s/%s, want Task/task-%05d", i, tk["resourceType"], tk["id"], i)
		}
		sr := decode(t, rs[1])
		if sr["resourceType"] != "ServiceRequest" || sr["id"] != fmt.Sprintf("sr-%05d", i) {
			t.Fatalf("referral %d: second resource is %s/%s", i, sr["resourceType"], sr["id"])
		}
		if got, want := str(tk, "authoredOn"), authoredAt(i).Format("2006-01-02T15:04:05.000Z"); got != want {
			t.Fatalf("referral %d: authoredOn %q, want %q", i, got, want)
		}
		for _, r := range rs {
			m := decode(t, r)
			id := m["id"].(string)
			want := map[string]string{
				"Patient": "pat-", "Consent": fmt.Sprintf("consent-%05d", i), "Condition": fmt.Sprintf("cond-%05d-", i),
				"Goal": fmt.Sprintf("goal-%05d", i), "Procedure": fmt.Sprintf("proc-%05d", i),
			}[m["resourceType"].(string)]
			if want != "" && !strings.HasPrefix(id, want) {
				t.Errorf("referral %d: %s id %q, want prefix %q", i, m["resourceType"], id, want)
			}
		}
	}
}

func TestSpecOverrides(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name  string
		spec  Spec
		check func(t *testing.T, res map[string]map[string]any)
	}{
		{"status accepted is owned", Spec{Status: fhir.StatusAccepted}, func(t *testing.T, res map[string]map[string]any) {
			if s := str(res["Task"], "status"); s != fhir.StatusAccepted {
				t.Errorf("status %q", s)
			}
			if str(res["Task"], "owner", "reference") == "" {
				t.Error("an accepted Task has no owner")
			}
		}},
		{"status completed has its procedure", Spec{Status: fhir.StatusCompleted}, func(t *testing.T, res map[string]map[string]any) {
			if res["Procedure"] == nil {
				t.Fatal("no Procedure")
			}
			out := res["Task"]["output"].([]any)[0].(map[string]any)
			if got := str(out, "valueReference", "reference"); got != "Procedure/"+str(res["Procedure"], "id") {
				t.Errorf("output references %q", got)
			}
		}},
		{"status rejected has a reason", Spec{Status: fhir.StatusRejected}, func(t *testing.T, res map[string]map[string]any) {
			if str(res["Task"], "statusReason", "text") == "" {
				t.Error("rejected without statusReason.text")
			}
		}},
		{"unowned", Spec{Owner: OwnerNone}, func(t *testing.T, res map[string]map[string]any) {
			if _, ok := res["Task"]["owner"]; ok {
				t.Error("Task has an owner")
			}
			if s := str(res["Task"], "status"); s != fhir.StatusRequested {
				t.Errorf("unowned Task is %q, want requested", s)
			}
		}},
		{"other CBO", Spec{Owner: OtherOrganization}, func(t *testing.T, res map[string]map[string]any) {
			if r, d := str(res["Task"], "owner", "reference"), str(res["Task"], "owner", "display"); r != OtherOrganization || d != "Westside Legal Aid" {
				t.Errorf("owner %q %q", r, d)
			}
		}},
		{"owned by the case worker's role", Spec{Owner: CaseWorkerRole}, func(t *testing.T, res map[string]map[string]any) {
			if r := str(res["Task"], "owner", "reference"); r != CaseWorkerRole {
				t.Errorf("owner %q", r)
			}
		}},
		{"priority asap", Spec{Priority: "asap"}, func(t *testing.T, res map[string]map[string]any) {
			if str(res["Task"], "priority") != "asap" || str(res["ServiceRequest"], "priority") != "asap" {
				t.Errorf("priorities %q, %q", str(res["Task"], "priority"), str(res["ServiceRequest"], "priority"))
			}
		}},
		{"do not contact", Spec{DoNotContact: &yes}, func(t *testing.T, res map[string]map[string]any) {
			if !hasDoNotContact(res["ServiceRequest"]) {
				t.Error("no contacting-subject-prohibited orderDetail")
			}
		}},
		{"contact allowed", Spec{DoNotContact: &no}, func(t *testing.T, res map[string]map[string]any) {
			if hasDoNotContact(res["ServiceRequest"]) {
				t.Error("contacting-subject-prohibited orderDetail present")
			}
		}},
		{"no consent", Spec{NoConsent: &yes}, func(t *testing.T, res map[string]map[string]any) {
			if res["Consent"] != nil || res["ServiceRequest"]["supportingInfo"] != nil {
				t.Error("a Consent is present")
			}
		}},
		{"consent", Spec{NoConsent: &no}, func(t *testing.T, res map[string]map[string]any) {
			if res["Consent"] == nil {
				t.Fatal("no Consent")
			}
			info := res["ServiceRequest"]["supportingInfo"].([]any)[0].(map[string]any)
			if str(info, "reference") != "Consent/"+str(res["Consent"], "id") {
				t.Errorf("supportingInfo %v", info)
			}
		}},
	}
	g := New(3)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := 1; i <= 40; i++ {
				tt.check(t, byType(t, g.Referral(i, authoredAt(i), tt.spec)))
			}
		})
	}
}

// An override changes only what it overrides: the person, the need and the
// service stay those of the referral number.
func TestOverrideKeepsTheRestOfTheReferral(t *testing.T) {
	g := New(11)
	yes := true
	for i := 1; i <= 100; i++ {
		plain := byType(t, g.Referral(i, t0, Spec{}))
		forced := byType(t, g.Referral(i, t0, Spec{Status: fhir.StatusFailed, Owner: OtherOrganization, Priority: "urgent", DoNotContact: &yes}))
		for _, path := range [][]string{{"for", "reference"}, {"focus", "display"}, {"requester", "reference"}} {
			if a, b := str(plain["Task"], path...), str(forced["Task"], path...); a != b {
				t.Fatalf("referral %d: Task.%s changed from %q to %q", i, strings.Join(path, "."), a, b)
			}
		}
	}
}

func hasDoNotContact(sr map[string]any) bool {
	details, _ := sr["orderDetail"].([]any)
	for _, d := range details {
		for _, c := range d.(map[string]any)["coding"].([]any) {
			cd := c.(map[string]any)
			if cd["system"] == fhir.SystemSDOHTemporary && cd["code"] == fhir.CodeContactProhibited {
				return true
			}
		}
	}
	return false
}

func TestReferralNumberMustBePositive(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Referral(0) did not panic")
		}
	}()
	New(1).Referral(0, t0, Spec{})
}

func TestNPICheckDigit(t *testing.T) {
	// 1234567893 is CMS's published example of a valid NPI.
	if got := npi("123456789"); got != "1234567893" {
		t.Fatalf("npi(123456789) = %s, want 1234567893", got)
	}
}

// BenchmarkTenThousandReferrals measures what the demo platform does at start:
// generate 10 000 referrals.
func BenchmarkTenThousandReferrals(b *testing.B) {
	g := New(1)
	b.ReportAllocs()
	for b.Loop() {
		for i := 1; i <= 10_000; i++ {
			g.Referral(i, authoredAt(i), Spec{})
		}
	}
}

func BenchmarkReferral(b *testing.B) {
	g := New(1)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		g.Referral(i, authoredAt(i), Spec{})
	}
}

// Nothing a referral records as done happens after it was authored: the
// platform stamps the referral as last updated at authoredOn.
func TestNothingDoneAfterAuthoredOn(t *testing.T) {
	g := New(21)
	for i := 1; i <= 500; i++ {
		day := authoredAt(i).Format(time.DateOnly)
		res := byType(t, g.Referral(i, authoredAt(i), Spec{}))
		dates := map[string]string{
			"Procedure.performedDateTime": str(res["Procedure"], "performedDateTime"),
			"Consent.dateTime":            str(res["Consent"], "dateTime"),
			"Condition.recordedDate":      str(res["Condition"], "recordedDate"),
			"Condition.onsetPeriod.start": str(res["Condition"], "onsetPeriod", "start"),
		}
		for what, d := range dates {
			if d > day {
				t.Fatalf("referral %d authored %s: %s is %s", i, day, what, d)
			}
		}
	}
}
