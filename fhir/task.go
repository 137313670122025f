package fhir

import (
	"encoding/json"
	"fmt"
)

// TaskUpdate is the change a recipient may make to a referral Task it owns:
// the IG lets it change only status, statusReason and output.
type TaskUpdate struct {
	Status string
	// Reason becomes statusReason.text. When empty, an existing statusReason is
	// removed (it described the previous status).
	Reason string
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
		reason, _ := json.Marshal(CodeableConcept{Text: u.Reason})
		set = append(set, Member{Name: "statusReason", Value: reason})
	} else {
		remove = append(remove, "statusReason")
	}
	if len(u.AddOutputs) > 0 {
		existing, err := GetMember(latest, "output")
		if err != nil {
			return nil, err
		}
		var outputs []json.RawMessage
		if existing != nil {
			if err := json.Unmarshal(existing, &outputs); err != nil {
				return nil, fmt.Errorf("task output is not a list: %w", err)
			}
		}
		for _, o := range u.AddOutputs {
			b, err := json.Marshal(o)
			if err != nil {
				return nil, err
			}
			outputs = append(outputs, b)
		}
		// Joined by hand: json.Marshal would re-format the existing outputs.
		all := []byte{'['}
		for i, o := range outputs {
			if i > 0 {
				all = append(all, ',')
			}
			all = append(all, o...)
		}
		set = append(set, Member{Name: "output", Value: append(all, ']')})
	}
	return SetMembers(latest, set, remove...)
}
