package app

import (
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
)

// A sync's pages remember what they read from the store, and must forget
// it as soon as another page brings a newer copy: the store gets that copy
// when the page is saved, and a remembered older one would then hide it.
func TestPagesInFlightForgetWhatAPageBringsAnew(t *testing.T) {
	org := func(version string) fhir.Resource {
		return fhir.Resource{Type: "Organization", ID: "1", Meta: fhir.Meta{VersionID: version}}
	}
	page := func(brings ...fhir.Resource) *resourceSet {
		p := &resourceSet{byRef: map[string]fhir.Resource{}}
		for _, r := range brings {
			p.byRef[r.Ref()] = r
		}
		return p
	}
	const ref = "Organization/1"
	version := func(f *pagesInFlight) string {
		r, ok := f.readBefore(ref)
		if !ok {
			return "nothing"
		}
		return r.Meta.VersionID
	}
	f := &pagesInFlight{brought: map[string]int{}, read: map[string]fhir.Resource{}}

	first := page(org("1"))
	f.add(first)
	first.saved.Store(true)
	_, seen := f.unsaved()
	f.remember(seen, ref, org("1")) // a page read it from the store
	if got := version(f); got != "1" {
		t.Fatalf("after a page read version 1 from the store, the sync remembers %s", got)
	}

	_, seen = f.unsaved()   // a page starts resolving,
	newer := page(org("2")) // another brings version 2 (not stored yet),
	f.add(newer)
	if got := version(f); got != "nothing" {
		t.Errorf("a page brought version 2, yet the sync still remembers version %s", got)
	}
	f.remember(seen, ref, org("1")) // and the first reads version 1 from the store
	if got := version(f); got != "nothing" {
		t.Errorf("version 1 was read before the page bringing version 2 was stored, yet the sync remembers version %s", got)
	}

	newer.saved.Store(true)
	_, seen = f.unsaved()
	f.remember(seen, ref, org("2"))
	if got := version(f); got != "2" {
		t.Errorf("after the store had version 2 and a page read it, the sync remembers %s", got)
	}
}
