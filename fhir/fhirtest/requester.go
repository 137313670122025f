package fhirtest

import (
	"fmt"
	"strconv"
)

// RequesterEdit names a change a referral's requester makes to a Task that
// leaves alone every element the recipient may change (status,
// statusReason, output). A client that queued an update against the older
// version must rebase it onto this one, not report a conflict: the IG lets
// the two sides change disjoint elements.
type RequesterEdit string

const (
	EditNote        RequesterEdit = "note"        // appends a Task.note
	EditDescription RequesterEdit = "description" // sets Task.description
	EditTag         RequesterEdit = "meta.tag"    // appends a meta.tag
)

// RequesterTagSystem is the system of the meta.tag EditTag adds.
const RequesterTagSystem = "https://referral-network.example.org/fhir/CodeSystem/requester-tag"

// EditTaskAsRequester makes the edit what (EditNote, EditDescription or
// EditTag) to Task/id as its requester, storing a new version; each call
// makes a different edit (its text or code is numbered), so two calls make
// two visible changes. status, statusReason and output stay as they are.
func (s *Server) EditTaskAsRequester(id string, what RequesterEdit) error {
	var edit func(map[string]any)
	n := strconv.FormatInt(s.requesterEdits.Add(1), 10)
	switch what {
	case EditNote:
		edit = func(task map[string]any) {
			notes, _ := task["note"].([]any)
			task["note"] = append(notes, map[string]any{
				"authorString": requesterName(task),
				"time":         formatInstant(s.now()),
				"text":         "Requester's note " + n + ": the patient asked to be called after 3 pm.",
			})
		}
	case EditDescription:
		edit = func(task map[string]any) {
			task["description"] = "Referral details updated by the requester (edit " + n + ")"
		}
	case EditTag:
		edit = func(task map[string]any) {
			meta, _ := task["meta"].(map[string]any)
			if meta == nil {
				meta = map[string]any{}
				task["meta"] = meta
			}
			tags, _ := meta["tag"].([]any)
			meta["tag"] = append(tags, map[string]any{
				"system": RequesterTagSystem, "code": "reviewed-" + n, "display": "Reviewed by the requester (" + n + ")",
			})
		}
	default:
		return fmt.Errorf("fhirtest: EditTaskAsRequester: %q is not an edit of note, description or meta.tag", what)
	}
	return s.UpdateAsRequester("Task", id, edit)
}

// SetStatusAsRequester sets Task/id's status as its requester would (to
// cancel a referral, or mark it entered-in-error), with reason as
// statusReason.text ("" removes statusReason), bypassing the recipient's
// transition rules. A client's update queued against the older version is
// then a real conflict.
func (s *Server) SetStatusAsRequester(id, status, reason string) error {
	if status == "" {
		return fmt.Errorf("fhirtest: SetStatusAsRequester: Task/%s needs a status", id)
	}
	return s.UpdateAsRequester("Task", id, func(task map[string]any) {
		task["status"] = status
		if reason == "" {
			delete(task, "statusReason")
		} else {
			task["statusReason"] = map[string]any{"text": reason}
		}
	})
}

// requesterName is the display of a Task's requester, for a note's author.
func requesterName(task map[string]any) string {
	if r, ok := task["requester"].(map[string]any); ok {
		if d, _ := r["display"].(string); d != "" {
			return d
		}
	}
	return "the requester"
}
