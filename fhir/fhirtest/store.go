package fhirtest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// store holds every resource with all its versions. Server.mu guards it.
//
// Timestamps follow one rule so that incremental sync with
// _lastUpdated=gt<Bundle.meta.lastUpdated> loses nothing and repeats nothing:
// every write is stamped strictly later than every earlier write and every
// search time already handed out (the high-water mark hw).
type store struct {
	types   map[string]map[string]*record
	hw      time.Time
	uuids   bool
	created int // server-assigned ids so far
}

// record is one resource's history; the last version is the current one.
type record struct {
	versions []*version
}

// version is one stored version of a resource. It is never changed once stored.
type version struct {
	typ, id     string
	versionID   string
	lastUpdated time.Time
	deleted     bool
	doc         map[string]any // decoded with json.Number; read-only
	raw         []byte
}

func newStore(uuids bool) *store {
	return &store{types: map[string]map[string]*record{}, uuids: uuids}
}

// writeTime stamps a write meant to happen at t (millisecond precision).
func (st *store) writeTime(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Millisecond)
	if !t.After(st.hw) {
		t = st.hw.Add(time.Millisecond)
	}
	st.hw = t
	return t
}

// readTime is the time of a search made at t: never earlier than a write it
// can see, and remembered so that later writes are stamped after it.
func (st *store) readTime(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Millisecond)
	if t.Before(st.hw) {
		t = st.hw
	}
	st.hw = t
	return t
}

func (st *store) record(typ, id string) *record { return st.types[typ][id] }

// current is the current version of typ/id, or nil; it may be a deletion.
func (st *store) current(typ, id string) *version {
	if rec := st.record(typ, id); rec != nil {
		return rec.versions[len(rec.versions)-1]
	}
	return nil
}

// live is the current version unless the resource is missing or deleted.
func (st *store) live(typ, id string) *version {
	if v := st.current(typ, id); v != nil && !v.deleted {
		return v
	}
	return nil
}

// asOf is the version of typ/id that was current at t, or nil if it did not
// exist or was deleted then.
func (st *store) asOf(typ, id string, t time.Time) *version {
	rec := st.record(typ, id)
	if rec == nil {
		return nil
	}
	for i := len(rec.versions) - 1; i >= 0; i-- {
		if v := rec.versions[i]; !v.lastUpdated.After(t) {
			if v.deleted {
				return nil
			}
			return v
		}
	}
	return nil
}

// all lists the live current versions of a type.
func (st *store) all(typ string) []*version {
	var out []*version
	for id := range st.types[typ] {
		if v := st.live(typ, id); v != nil {
			out = append(out, v)
		}
	}
	return out
}

// put stores doc (which names its resourceType and id) as a new version
// written at t, setting meta.versionId and meta.lastUpdated and keeping every
// other element as given.
func (st *store) put(doc map[string]any, t time.Time) *version {
	typ, _ := doc["resourceType"].(string)
	id, _ := doc["id"].(string)
	rec := st.types[typ][id]
	if rec == nil {
		if st.types[typ] == nil {
			st.types[typ] = map[string]*record{}
		}
		rec = &record{}
		st.types[typ][id] = rec
	}
	v := &version{typ: typ, id: id, versionID: st.nextVersionID(rec), lastUpdated: st.writeTime(t)}
	meta := map[string]any{}
	if m, ok := doc["meta"].(map[string]any); ok {
		for k, e := range m {
			meta[k] = e
		}
	}
	meta["versionId"] = v.versionID
	meta["lastUpdated"] = formatInstant(v.lastUpdated)
	v.doc = make(map[string]any, len(doc)+1)
	for k, e := range doc {
		v.doc[k] = e
	}
	v.doc["meta"] = meta
	v.raw = encodeResource(v.doc)
	rec.versions = append(rec.versions, v)
	return v
}

// remove records the deletion of typ/id at t; false if there was nothing live.
func (st *store) remove(typ, id string, t time.Time) bool {
	rec := st.record(typ, id)
	if rec == nil || st.live(typ, id) == nil {
		return false
	}
	rec.versions = append(rec.versions, &version{typ: typ, id: id, versionID: st.nextVersionID(rec), lastUpdated: st.writeTime(t), deleted: true})
	return true
}

func (st *store) nextVersionID(rec *record) string {
	if st.uuids {
		return newUUID()
	}
	return strconv.Itoa(len(rec.versions) + 1)
}

// newID is a server-assigned id for a created resource.
func (st *store) newID(typ string) string {
	st.created++
	return fmt.Sprintf("%s-%06d", strings.ToLower(typ), st.created)
}

// formatInstant is FHIR instant with millisecond precision in UTC.
func formatInstant(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// decodeObject decodes one JSON object, keeping numbers as written
// (json.Number) so that a stored resource returns them unchanged.
func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, errors.New("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return doc, nil
}

// encodeResource writes a resource with resourceType, id and meta first, the
// way FHIR servers do, and the other elements after them in name order.
func encodeResource(doc map[string]any) []byte {
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		switch k {
		case "resourceType":
			return 0
		case "id":
			return 1
		case "meta":
			return 2
		}
		return 3
	}
	slices.SortFunc(keys, func(a, b string) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(marshal(k))
		buf.WriteByte(':')
		buf.Write(marshal(doc[k]))
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// marshal encodes v without HTML escaping (FHIR text stays readable).
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("fhirtest: encoding %T: %v", v, err))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// randomToken is 256 random bits, base64url: codes, tokens, ids of sessions.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64URL(b)
}

func newUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
