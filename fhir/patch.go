package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Member is one top-level element of a JSON object.
type Member struct {
	Name  string
	Value json.RawMessage
}

// SetMembers returns the JSON object raw with the given top-level members set
// (replaced where they stand, appended when new) and the named ones removed.
// Every other member keeps its position and its exact bytes: the IG allows a
// recipient to change only a few elements of a Task, and everything else on
// the server copy must survive an update unchanged.
func SetMembers(raw []byte, set []Member, remove ...string) ([]byte, error) {
	members, err := splitObject(raw)
	if err != nil {
		return nil, err
	}
	drop := make(map[string]bool, len(remove))
	for _, name := range remove {
		drop[name] = true
	}
	pending := make(map[string]json.RawMessage, len(set))
	var order []string
	for _, m := range set {
		if !json.Valid(m.Value) {
			return nil, fmt.Errorf("value of %q is not valid JSON", m.Name)
		}
		if _, seen := pending[m.Name]; !seen {
			order = append(order, m.Name)
		}
		pending[m.Name] = m.Value
	}
	var out []Member
	for _, m := range members {
		if drop[m.Name] {
			continue
		}
		if v, ok := pending[m.Name]; ok {
			m.Value = v
			delete(pending, m.Name)
		}
		out = append(out, m)
	}
	for _, name := range order {
		if v, ok := pending[name]; ok && !drop[name] {
			out = append(out, Member{Name: name, Value: v})
		}
	}
	return joinObject(out), nil
}

// GetMember returns the raw value of a top-level member, or nil.
func GetMember(raw []byte, name string) (json.RawMessage, error) {
	members, err := splitObject(raw)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		if m.Name == name {
			return m.Value, nil
		}
	}
	return nil, nil
}

// splitObject lists the members of a JSON object in order, values as their original bytes.
func splitObject(raw []byte) ([]Member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("not a JSON object")
	}
	var members []Member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("bad JSON object: %w", err)
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("bad value for %q: %w", name, err)
		}
		members = append(members, Member{Name: name, Value: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("bad JSON object: %w", err)
	}
	if len(bytes.TrimSpace(raw[dec.InputOffset():])) > 0 {
		return nil, fmt.Errorf("trailing data after JSON object")
	}
	return members, nil
}

func joinObject(members []Member) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(m.Name)
		b.Write(name)
		b.WriteByte(':')
		b.Write(m.Value)
	}
	b.WriteByte('}')
	return b.Bytes()
}
