package app

import "strings"

type priority struct {
	code  string
	label string
}

// priorities are the FHIR request priorities (Task.priority,
// ServiceRequest.priority), most urgent first: the order of the inbox's
// "Most urgent first" (PriorityRank).
var priorities = []priority{
	{"stat", "Immediately (stat)"},
	{"asap", "ASAP"},
	{"urgent", "Urgent"},
	{"routine", "Routine"},
}

// PriorityRank is a priority's place in "Most urgent first", from 0 (stat);
// unknown codes come last.
func PriorityRank(code string) int {
	for i, p := range priorities {
		if p.code == code {
			return i
		}
	}
	return len(priorities)
}

// Urgent reports priorities above routine (stat, asap, urgent).
func Urgent(priority string) bool {
	return PriorityRank(priority) < PriorityRank("routine")
}

// PriorityLabel is how a priority reads: "Urgent", "ASAP", "Immediately (stat)", "Routine".
func PriorityLabel(p string) string {
	if p == "" {
		return "Routine" // the IG's default: a request without priority is routine
	}
	if r := PriorityRank(p); r < len(priorities) {
		return priorities[r].label
	}
	return strings.ToUpper(p[:1]) + p[1:]
}
