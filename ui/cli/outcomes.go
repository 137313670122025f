package cli

import (
	"encoding/json"
	"slices"
)

// outcome is one of a Task's outputs the IG gives a completion: a service
// delivered (resulting-activity) or more sent with it (additional-content,
// such as the person's program enrollment).
type outcome struct {
	kind  string // "Service delivered" or "Additional content"
	ref   string // what was posted, "Procedure/…"; "" when the output holds a code
	value string // the code's label, when it does
}

// taskOutput is what outcomesOf reads of a Task's output: the command
// line reads FHIR only here, so it keeps to encoding/json.
type taskOutput struct {
	Type                 concept                     `json:"type"`
	ValueReference       *struct{ Reference string } `json:"valueReference"`
	ValueCodeableConcept *concept                    `json:"valueCodeableConcept"`
}

type concept struct {
	Coding []struct{ System, Code, Display string } `json:"coding"`
	Text   string                                   `json:"text"`
}

// label is the concept as a person reads it: its text, else a display, else a code.
func (c concept) label() string {
	if c.Text != "" {
		return c.Text
	}
	for _, cd := range c.Coding {
		if cd.Display != "" {
			return cd.Display
		}
	}
	if len(c.Coding) > 0 {
		return c.Coding[0].Code
	}
	return ""
}

// outputKinds are the IG's output types (SDOHCC-CodeSystemTemporaryCodes)
// a completion sends, as outcomes name them.
var outputKinds = map[string]string{"resulting-activity": "Service delivered", "additional-content": "Additional content"}

const sdohTemporaryCodes = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"

// outcomesOf reads the outcomes in a Task as the platform has it (FHIR
// JSON); none when it has no outputs or cannot be read.
func outcomesOf(task []byte) []outcome {
	var t struct {
		Output []taskOutput `json:"output"`
	}
	if json.Unmarshal(task, &t) != nil {
		return nil
	}
	var out []outcome
	for _, o := range t.Output {
		kind := ""
		for _, cd := range o.Type.Coding {
			if cd.System == sdohTemporaryCodes && outputKinds[cd.Code] != "" {
				kind = outputKinds[cd.Code]
			}
		}
		switch {
		case kind == "":
		case o.ValueReference != nil && o.ValueReference.Reference != "":
			out = append(out, outcome{kind: kind, ref: o.ValueReference.Reference})
		case o.ValueCodeableConcept != nil:
			out = append(out, outcome{kind: kind, value: o.ValueCodeableConcept.label()})
		}
	}
	return out
}

// newOutcomes are those of after that before does not have: what one
// completion added to the Task.
func newOutcomes(before, after []byte) []outcome {
	had := outcomesOf(before)
	var out []outcome
	for _, o := range outcomesOf(after) {
		if !slices.Contains(had, o) {
			out = append(out, o)
		}
	}
	return out
}
