package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/go-json-experiment/json/jsontext"
)

// TaskUpdate is the change a recipient may make to a referral Task it owns:
// the IG lets it change only status, statusReason and output.
type TaskUpdate struct {
	Status string
	// Reason becomes statusReason.text. When empty, an existing statusReason is
	// removed (it described the previous status).
	Reason string
	// ReasonCode, with Reason, codes statusReason (e.g. the IG's no-capacity).
	ReasonCode *Coding
	// AddOutputs are appended to Task.output; existing outputs are never replaced.
	AddOutputs []TaskIO
}

// ApplyTaskUpdate returns the latest server JSON of a Task with the update
// applied. Every other element keeps its exact bytes and position.
func ApplyTaskUpdate(latest []byte, u TaskUpdate) ([]byte, error) {
	if u.Status == "" {
		return nil, fmt.Errorf("task update without a status")
	}
	status, _ := json.Marshal(u.Status)
	set := []Member{{Name: "status", Value: status}}
	var remove []string
	if u.Reason != "" {
		concept := CodeableConcept{Text: u.Reason}
		if u.ReasonCode != nil {
			concept.Coding = []Coding{*u.ReasonCode}
		}
		reason, _ := json.Marshal(concept)
		set = append(set, Member{Name: "statusReason", Value: reason})
	} else {
		remove = append(remove, "statusReason")
	}
	if len(u.AddOutputs) > 0 {
		outputs, err := listItems(latest, "output")
		if err != nil {
			return nil, err
		}
		for _, o := range u.AddOutputs {
			b, err := json.Marshal(o)
			if err != nil {
				return nil, err
			}
			outputs = append(outputs, b)
		}
		set = append(set, Member{Name: "output", Value: joinList(outputs)})
	}
	return SetMembers(latest, set, remove...)
}

// listItems reads the list member name of a JSON object, each item as it
// is; an absent member is an empty list.
func listItems(raw []byte, name string) ([]json.RawMessage, error) {
	existing, err := GetMember(raw, name)
	if err != nil || existing == nil {
		return nil, err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(existing, &items); err != nil {
		return nil, fmt.Errorf("%s is not a list: %w", name, err)
	}
	return items, nil
}

// joinList writes items as a JSON list, each with its bytes as they are:
// json.Marshal would re-format what the server wrote.
func joinList(items []json.RawMessage) json.RawMessage {
	all := []byte{'['}
	for i, it := range items {
		if i > 0 {
			all = append(all, ',')
		}
		all = append(all, it...)
	}
	return append(all, ']')
}

// workflowMembers are the members of a Task its recipient writes (the IG:
// status, statusReason, output).
var workflowMembers = []string{"status", "statusReason", "output"}

// SameWorkflow reports whether two copies of a Task agree on what its
// recipient writes, whatever else differs between them (a requester's note,
// a description, tags). Members are compared as JSON values, so spacing and
// member order do not count.
func SameWorkflow(a, b []byte) bool {
	for _, name := range workflowMembers {
		va, errA := GetMember(a, name)
		vb, errB := GetMember(b, name)
		if errA != nil || errB != nil || !sameJSON(va, vb) {
			return false
		}
	}
	return true
}

// sameJSON compares two JSON values in their canonical form (RFC 8785);
// absent and null are the same.
func sameJSON(a, b []byte) bool {
	ca, cb := jsontext.Value(bytes.Clone(a)), jsontext.Value(bytes.Clone(b))
	if len(ca) == 0 {
		ca = jsontext.Value("null")
	}
	if len(cb) == 0 {
		cb = jsontext.Value("null")
	}
	if ca.Canonicalize() != nil || cb.Canonicalize() != nil {
		return false
	}
	return bytes.Equal(ca, cb)
}

// SetCapacity returns a HealthcareService's JSON with the IG's capacity
// status extension set to code (SDOHCC-ValueSetCapacityStatus) and note:
// an earlier capacity extension is replaced, every other extension and
// element kept as it was.
func SetCapacity(service []byte, code, note string) ([]byte, error) {
	exts, err := listItems(service, "extension")
	if err != nil {
		return nil, err
	}
	kept := exts[:0]
	for _, e := range exts {
		var head struct {
			URL string `json:"url"`
		}
		// FHIR's member names are case-sensitive (unmarshal), encoding/json's
		// are not: it took {"URL": …} for the capacity extension.
		if unmarshal(e, &head) == nil && head.URL == ExtensionCapacity {
			continue
		}
		kept = append(kept, e)
	}
	parts := []any{map[string]any{"url": "capacityStatus", "valueCodeableConcept": CodeableConcept{
		Coding: []Coding{{System: SystemSDOHTemporary, Code: code}}}}}
	if note != "" {
		parts = append(parts, map[string]any{"url": "capacityNotes", "valueString": note})
	}
	capacity, _ := json.Marshal(map[string]any{"url": ExtensionCapacity, "extension": parts})
	return SetMembers(service, []Member{{Name: "extension", Value: joinList(append(kept, capacity))}})
}
