package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/storage"
)

// resources is what a referral is read from: the resources a sync page
// brought, backed by those a sync's earlier pages brought and those stored.
// A referral's screen uses one with nothing brought. Each resource is parsed
// once (fhir.ParseResource) however often it is read.
type resources struct {
	ctx     context.Context
	store   *storage.DB
	source  int64
	brought map[string]fhir.Resource // from the platform now, by "Type/id": to be stored
	known   map[string]fhir.Resource // read from the store or a page not yet stored
	absent  map[string]bool          // neither the platform nor the store has it
	// unstored, in a sync, finds what its pages brought that is not in
	// the store yet; nil elsewhere.
	unstored *unstoredPages
	// err is the first failure to read the store: what it could not read
	// is unknown, not absent, so nothing computed from it may be kept.
	err error
	// damaged is set when something stored did not open (ErrDamaged): it is
	// taken as absent, and the next sync stores the platform's copy anew.
	damaged bool
}

func newResources(ctx context.Context, store *storage.DB, source int64) *resources {
	return &resources{ctx: ctx, store: store, source: source, brought: map[string]fhir.Resource{},
		known: map[string]fhir.Resource{}, absent: map[string]bool{}}
}

// bring adds a resource the platform sent; the first of one "Type/id" counts.
func (rs *resources) bring(r fhir.Resource) bool {
	ref := r.Ref()
	if _, ok := rs.brought[ref]; ok {
		return false
	}
	rs.brought[ref] = r
	return true
}

// held finds ref among what the set already has, without asking the store.
func (rs *resources) held(ref string) (fhir.Resource, bool) {
	if r, ok := rs.brought[ref]; ok {
		return r, true
	}
	if r, ok := rs.known[ref]; ok {
		return r, true
	}
	if r, ok := rs.unstored.find(ref); ok {
		rs.known[ref] = r
		return r, true
	}
	return fhir.Resource{}, false
}

// get finds a referenced resource ("Type/id") in the set or the store.
func (rs *resources) get(ref string) (fhir.Resource, bool) {
	if r, ok := rs.held(ref); ok {
		return r, true
	}
	if rs.absent[ref] {
		return fhir.Resource{}, false
	}
	typ, id, ok := fhir.SplitReference(ref)
	if !ok {
		return fhir.Resource{}, false
	}
	stored, err := rs.store.Resource(rs.ctx, rs.source, typ, id)
	if errors.Is(err, storage.ErrDamaged) {
		rs.damaged = true
		rs.absent[ref] = true
		return fhir.Resource{}, false
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		rs.failed(ref, err)
		return fhir.Resource{}, false
	}
	return rs.keep(ref, stored, err == nil)
}

// keep notes what the store gave for ref: a resource, or none when found is
// false or what is stored cannot be read.
func (rs *resources) keep(ref string, stored storage.Resource, found bool) (fhir.Resource, bool) {
	if found {
		if r, err := fhir.ParseResource(stored.JSON); err == nil {
			rs.known[ref] = r
			return r, true
		}
	}
	rs.absent[ref] = true
	return fhir.Resource{}, false
}

func (rs *resources) failed(ref string, err error) {
	if rs.err == nil {
		rs.err = fmt.Errorf("reading %s from the store: %w", ref, err)
	}
}

// missing returns the refs ("Type/id") that neither the set nor the store
// has, looking the store up with one query per resource type.
func (rs *resources) missing(refs []string) ([]string, error) {
	byType := map[string][]string{}
	for _, ref := range refs {
		if _, ok := rs.held(ref); ok || rs.absent[ref] {
			continue
		}
		if typ, id, ok := fhir.SplitReference(ref); ok {
			byType[typ] = append(byType[typ], id)
		}
	}
	var out []string
	for typ, ids := range byType {
		found, err := rs.store.Resources(rs.ctx, rs.source, typ, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			stored, ok := found[id]
			if _, ok := rs.keep(typ+"/"+id, stored, ok); !ok {
				out = append(out, typ+"/"+id)
			}
		}
	}
	return out, nil
}

// viewOf is the typed view of the resource ref points at, if it is known
// and readable as T.
func viewOf[T fhir.View](rs *resources, ref fhir.Reference) (T, bool) {
	typ, id, ok := ref.TypeID()
	if !ok {
		var zero T
		return zero, false
	}
	r, ok := rs.get(typ + "/" + id)
	if !ok {
		var zero T
		return zero, false
	}
	return fhir.As[T](r)
}

// toStore is what the platform sent, as the store keeps it.
func (rs *resources) toStore() []storage.Resource {
	out := make([]storage.Resource, 0, len(rs.brought))
	for _, r := range rs.brought {
		out = append(out, storeResource(rs.source, r))
	}
	return out
}

func storeResource(source int64, r fhir.Resource) storage.Resource {
	return storage.Resource{SourceID: source, Type: r.Type, ID: r.ID, VersionID: r.Meta.VersionID,
		LastUpdated: r.Meta.LastUpdated, JSON: r.Raw}
}
