package fhir

import (
	"reflect"
	"strings"
	"sync"
)

// Decode reads a typed view of a resource's JSON. A value of an unexpected
// shape in a member T declares fails the whole decode; callers show what
// they can from the raw JSON.
func Decode[T any](raw []byte) (T, error) {
	var v T
	err := unmarshal(raw, &v)
	return v, err
}

// DecodeNarrow is Decode for a view that declares a few of a resource's
// members: the others are stepped over unread, so it costs little (a
// Consent's status alone: ~20 times less than its whole Consent view). raw
// must be valid JSON, as every resource is once received (ParseResource, or
// the Bundle it came in). Stepping over costs a view that declares most
// members more than it saves (~15 % more for a whole ServiceRequest view).
func DecodeNarrow[T any](raw []byte) (T, error) {
	names := memberNames(reflect.TypeFor[T]())
	if names == nil {
		return Decode[T](raw)
	}
	buf := subsets.Get().(*[]byte)
	defer subsets.Put(buf)
	sub, ok := selectMembers(raw, names, (*buf)[:0])
	*buf = sub[:0]
	if !ok {
		sub = raw // not an object with a member T leaves out, or not an object at all: decode it as it is
	}
	return Decode[T](sub)
}

// subsets are the buffers DecodeNarrow assembles the members it reads in.
var subsets = sync.Pool{New: func() any { return new([]byte) }}

// selectMembers appends to out an object of the members of raw named in
// names. ok is false when raw holds no other member (or is not a JSON
// object), so there is nothing to leave out.
func selectMembers(raw []byte, names map[string]bool, out []byte) (_ []byte, ok bool) {
	out = append(out, '{')
	kept, skipped := 0, 0
	err := topLevel(raw, func(name, value []byte) bool {
		if !names[string(name)] {
			skipped++
			return true
		}
		if kept > 0 {
			out = append(out, ',')
		}
		kept++
		// Declared names are plain identifiers: quoted as they are, even
		// where the server escaped some of their letters.
		out = append(out, '"')
		out = append(out, name...)
		out = append(out, '"', ':')
		out = append(out, value...)
		return true
	})
	return append(out, '}'), err == nil && skipped > 0
}

// memberTypes holds memberNames' answer for each type it was asked about.
var memberTypes sync.Map // reflect.Type → map[string]bool (nil: decode whole)

// memberNames is the set of JSON member names a struct view declares in
// its exported fields' tags; nil, for decoding whole, for any other type and
// for a struct with an embedded field or one without a name in its tag.
func memberNames(t reflect.Type) map[string]bool {
	if names, ok := memberTypes.Load(t); ok {
		return names.(map[string]bool)
	}
	var names map[string]bool
	if t.Kind() == reflect.Struct {
		names = map[string]bool{}
		for f := range t.Fields() {
			if !f.IsExported() {
				continue // never decoded
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous || name == "" || name == "-" {
				names = nil
				break
			}
			names[name] = true
		}
	}
	memberTypes.Store(t, names)
	return names
}
