package fhirtest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// searchServer has a known set of Tasks and no generated ones.
func searchServer(t *testing.T) (*fhirtest.Server, string, map[string]string) {
	t.Helper()
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	tasks := map[string]string{
		"ours-requested":   s.AddReferral(referralgen.Spec{Status: fhir.StatusRequested, Owner: referralgen.OwnerOrganization}),
		"ours-accepted":    s.AddReferral(referralgen.Spec{Status: fhir.StatusAccepted, Owner: referralgen.OwnerOrganization}),
		"ours-completed":   s.AddReferral(referralgen.Spec{Status: fhir.StatusCompleted, Owner: referralgen.OwnerOrganization}),
		"theirs-requested": s.AddReferral(referralgen.Spec{Status: fhir.StatusRequested, Owner: referralgen.OtherOrganization}),
		"unowned":          s.AddReferral(referralgen.Spec{Status: fhir.StatusRequested, Owner: referralgen.OwnerNone}),
	}
	return s, token(t, s), tasks
}

func TestTaskSearchParameters(t *testing.T) {
	s, tok, tasks := searchServer(t)
	task := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, "Task/"+tasks[n])
		}
		slices.Sort(out)
		return out
	}
	first, _ := s.Resource("Task", tasks["ours-requested"])
	var ft struct {
		Focus, For, Requester fhir.Reference
	}
	json.Unmarshal(first, &ft)

	for _, c := range []struct {
		query string
		want  []string
	}{
		{"owner=" + referralgen.OwnerOrganization, task("ours-requested", "ours-accepted", "ours-completed")},
		{"owner=" + url.QueryEscape(s.FHIRBase()+"/"+referralgen.OwnerOrganization), task("ours-requested", "ours-accepted", "ours-completed")},
		{"owner=cbo-eastside", nil}, // a bare id matches nothing
		{"owner:Organization=cbo-westside", task("theirs-requested")},
		{"owner:missing=true", task("unowned")},
		{"owner:missing=false&status=requested", task("ours-requested", "theirs-requested")},
		{"status=accepted,completed", task("ours-accepted", "ours-completed")},
		{"status=accepted&status=completed", nil}, // repeated parameters AND
		{"code=" + url.QueryEscape(fhir.SystemTaskCode+"|"+fhir.CodeFulfill) + "&owner=" + referralgen.OtherOrganization, task("theirs-requested")},
		{"code=fulfill&_id=" + tasks["unowned"], task("unowned")},
		{"_id=" + tasks["unowned"] + "," + tasks["ours-accepted"], task("unowned", "ours-accepted")},
		{"focus=" + ft.Focus.Reference, task("ours-requested")},
		{"patient=" + ft.For.Reference, nil}, // filled below: any Task of that patient
		{"requester=" + ft.Requester.Reference + "&_id=" + tasks["ours-requested"], task("ours-requested")},
		{"unknown-param=1&owner=" + referralgen.OtherOrganization, task("theirs-requested")}, // lenient
	} {
		b := search(t, s, tok, "/Task?"+c.query)
		got := ids(t, b, "match")
		slices.Sort(got)
		if strings.HasPrefix(c.query, "patient=") {
			if !slices.Contains(got, "Task/"+tasks["ours-requested"]) {
				t.Errorf("%s = %v, want it to include the referral for that patient", c.query, got)
			}
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Task?%s = %v, want %v", c.query, got, c.want)
		}
		if b.Type != "searchset" || b.Meta == nil || b.Meta.LastUpdated == "" {
			t.Errorf("Task?%s: type %q meta %v", c.query, b.Type, b.Meta)
		}
		if strings.Contains(b.LinkURL("self"), "unknown-param") {
			t.Errorf("self link %s keeps an ignored parameter", b.LinkURL("self"))
		}
	}
}

func TestSearchErrors(t *testing.T) {
	s, tok, _ := searchServer(t)
	for _, c := range []struct {
		query  string
		header []string
	}{
		{"unknown-param=1", []string{"Prefer", "handling=strict"}},
		{"_lastUpdated=sa2025-01-01", nil},
		{"_lastUpdated=gt2025-01-01T10:00:00", nil},       // no time zone
		{"_lastUpdated=gt2025-01-01T10:00:00+01:00", nil}, // '+' not encoded: a space
		{"_sort=status", nil},
		{"_count=many", nil},
		{"_include=Task:nothing", nil},
		{"owner:missing=perhaps", nil},
	} {
		resp, body := do(t, s, tok, http.MethodGet, "/Task?"+c.query, nil, c.header...)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("Task?%s: %d, want 400", c.query, resp.StatusCode)
			continue
		}
		outcome(t, body)
		if ct := resp.Header.Get("Content-Type"); ct != "application/fhir+json" {
			t.Errorf("Content-Type %q", ct)
		}
	}
}

func TestSearchInclude(t *testing.T) {
	s, tok, tasks := searchServer(t)
	b := search(t, s, tok, "/Task?owner="+referralgen.OwnerOrganization+"&_include=Task:focus&_include=Task:patient&_include=Task:owner")
	if got := ids(t, b, "match"); len(got) != 3 {
		t.Fatalf("matches = %v", got)
	}
	inc := ids(t, b, "include")
	want := []string{referralgen.OwnerOrganization}
	for _, n := range []string{"ours-requested", "ours-accepted", "ours-completed"} {
		raw, _ := s.Resource("Task", tasks[n])
		var tk struct{ Focus, For fhir.Reference }
		json.Unmarshal(raw, &tk)
		want = append(want, tk.Focus.Reference, tk.For.Reference)
	}
	slices.Sort(want)
	want = slices.Compact(want)
	slices.Sort(inc)
	if !slices.Equal(inc, want) {
		t.Errorf("included = %v, want each once: %v", inc, want)
	}
	// Without read scope on a type, its resources are not included.
	narrow := token(t, s, "user/Task.rs", "user/ServiceRequest.rs")
	b = search(t, s, narrow, "/Task?_include=Task:focus&_include=Task:patient")
	for _, r := range ids(t, b, "include") {
		if !strings.HasPrefix(r, "ServiceRequest/") {
			t.Errorf("included %s without a scope for it", r)
		}
	}
}

func TestSearchPaging(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: 25})
	tok := token(t, s)
	path := "/Task?_count=10&_total=accurate"
	var seen []string
	var lastUpdated string
	pages := 0
	for path != "" {
		b := search(t, s, tok, path)
		pages++
		if b.Total == nil || *b.Total != 25 {
			t.Errorf("page %d total = %v, want 25", pages, b.Total)
		}
		if pages == 1 {
			lastUpdated = b.Meta.LastUpdated
			// A write while paging changes neither the pages nor their time.
			s.UpdateAsRequester("Task", strings.TrimPrefix(ids(t, b, "match")[0], "Task/"), func(m map[string]any) { m["priority"] = "asap" })
		} else if b.Meta.LastUpdated != lastUpdated {
			t.Errorf("page %d meta.lastUpdated %s, first page %s", pages, b.Meta.LastUpdated, lastUpdated)
		}
		seen = append(seen, ids(t, b, "match")...)
		path = b.LinkURL("next")
		if path != "" && !strings.HasPrefix(path, s.FHIRBase()+"/Task?") {
			t.Fatalf("next link %s is not on this server", path)
		}
	}
	if pages != 3 || len(seen) != 25 || len(slices.Compact(slices.Sorted(slices.Values(seen)))) != 25 {
		t.Errorf("%d pages, %d entries (%d distinct), want 3 pages of 25 distinct", pages, len(seen), len(slices.Compact(slices.Sorted(slices.Values(seen)))))
	}
	if b := search(t, s, tok, "/Task"); b.Total != nil {
		t.Errorf("total %d given without _total", *b.Total)
	}
}

func TestSearchSort(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: 5})
	tok := token(t, s)
	up := ids(t, search(t, s, tok, "/Task?_sort=_lastUpdated"), "match")
	down := ids(t, search(t, s, tok, "/Task?_sort=-_lastUpdated"), "match")
	slices.Reverse(down)
	if len(up) != 5 || !slices.Equal(up, down) {
		t.Errorf("ascending %v, descending reversed %v", up, down)
	}
}

func TestPostSearch(t *testing.T) {
	s, tok, tasks := searchServer(t)
	req, _ := http.NewRequest(http.MethodPost, s.FHIRBase()+"/Task/_search", strings.NewReader("owner:missing=true"))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b fhir.Bundle
	json.NewDecoder(resp.Body).Decode(&b)
	if got := ids(t, b, "match"); !slices.Equal(got, []string{"Task/" + tasks["unowned"]}) {
		t.Errorf("POST _search = %v", got)
	}
}

func TestBatch(t *testing.T) {
	s, tok, tasks := searchServer(t)
	req := fhir.Bundle{ResourceType: "Bundle", Type: "batch", Entry: []fhir.BundleEntry{
		{Request: &fhir.EntryRequest{Method: "GET", URL: "Task/" + tasks["unowned"]}},
		{Request: &fhir.EntryRequest{Method: "GET", URL: "Patient/nobody"}},
		{Request: &fhir.EntryRequest{Method: "GET", URL: s.FHIRBase() + "/" + referralgen.OwnerOrganization}},
		{Request: &fhir.EntryRequest{Method: "GET", URL: "Task?owner:missing=true"}},
		{Request: &fhir.EntryRequest{Method: "DELETE", URL: "Task/" + tasks["unowned"]}},
	}}
	body, _ := json.Marshal(req)
	resp, out := do(t, s, tok, http.MethodPost, "", body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("batch: %d %s", resp.StatusCode, out)
	}
	var b fhir.Bundle
	json.Unmarshal(out, &b)
	if b.Type != "batch-response" || len(b.Entry) != 5 {
		t.Fatalf("batch-response: %s", out)
	}
	want := []string{"200 OK", "404 Not Found", "200 OK", "200 OK", "405 Method Not Allowed"}
	for i, e := range b.Entry {
		if e.Response == nil || e.Response.Status != want[i] {
			t.Errorf("entry %d: %+v, want %s", i, e.Response, want[i])
		}
	}
	if r, _ := fhir.ParseResource(b.Entry[0].Resource); r.ID != tasks["unowned"] || b.Entry[0].Response.Etag == "" {
		t.Errorf("entry 0: %s etag %q", b.Entry[0].Resource, b.Entry[0].Response.Etag)
	}
	if len(b.Entry[1].Response.Outcome) == 0 {
		t.Error("the 404 entry has no outcome")
	}
	if r, _ := fhir.ParseResource(b.Entry[3].Resource); r.Type != "Bundle" {
		t.Errorf("entry 3 is a %s, want the searchset Bundle", r.Type)
	}
}

func TestCountZeroGivesTotalOnly(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: 3})
	b := search(t, s, token(t, s), "/Task?_count=0&_total=accurate")
	if len(b.Entry) != 0 || b.Total == nil || *b.Total != 3 || b.LinkURL("next") != "" {
		t.Errorf("_count=0: %d entries, total %v, next %q; want the total only", len(b.Entry), b.Total, b.LinkURL("next"))
	}
}

func TestRead(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{})
	tok := token(t, s)
	if b := search(t, s, tok, "/Task?_total=accurate&_count=1"); b.Total == nil || *b.Total != 25 {
		t.Errorf("default Options: total %v, want 25 referrals", b.Total)
	}
	resp, body := do(t, s, tok, http.MethodGet, "/"+referralgen.CaseWorkerRole, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != `W/"1"` || resp.Header.Get("Last-Modified") == "" ||
		resp.Header.Get("Content-Type") != "application/fhir+json" {
		t.Fatalf("GET %s: %d %v %s", referralgen.CaseWorkerRole, resp.StatusCode, resp.Header, body)
	}
	if r, _ := fhir.ParseResource(body); r.Ref() != referralgen.CaseWorkerRole || r.Meta.VersionID != "1" {
		t.Errorf("read %s, meta %+v", r.Ref(), r.Meta)
	}
	if resp, _ := do(t, s, tok, http.MethodGet, "/"+referralgen.CaseWorkerRole, nil, "If-None-Match", `W/"1"`); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", resp.StatusCode)
	}
	if resp, _ := do(t, s, tok, http.MethodGet, "/"+referralgen.CaseWorkerRole+"/_history/1", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("vread: %d", resp.StatusCode)
	}
	if resp, body := do(t, s, tok, http.MethodGet, "/Spaceship/1", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown type: %d", resp.StatusCode)
	} else {
		outcome(t, body)
	}
}

func TestFault(t *testing.T) {
	s := fhirtest.New(t, fhirtest.Options{Referrals: -1})
	tok := token(t, s)
	s.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/fhir/Task" {
			return false
		}
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	})
	if resp, _ := do(t, s, tok, http.MethodGet, "/Task", nil); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("with the fault: %d", resp.StatusCode)
	}
	if resp, _ := do(t, s, tok, http.MethodGet, "/Patient", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("a request the fault passes on: %d", resp.StatusCode)
	}
	s.SetFault(nil)
	if resp, _ := do(t, s, tok, http.MethodGet, "/Task", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("after SetFault(nil): %d", resp.StatusCode)
	}
	reqs := s.Requests()
	if last := reqs[len(reqs)-1]; last.Method != http.MethodGet || last.Path != "/fhir/Task" {
		t.Errorf("last logged request %+v", last)
	}
	s.ResetRequests()
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests after ResetRequests", n)
	}
}
