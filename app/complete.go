package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/storage"
)

// Completion is what the case worker says was done when completing a
// referral, sent as the IG's Direct Referral Light steps: one SDOHCC
// Procedure per service, then the Task completed with outputs pointing at
// them (and, when given, the person's program enrollment).
type Completion struct {
	Services   []Service `json:"services,omitempty"`   // none: the ServiceRequest's own code (ServicesFor)
	Performed  string    `json:"performed,omitempty"`  // a date, YYYY-MM-DD; "": today
	Enrollment string    `json:"enrollment,omitempty"` // "", "enrolled", "not-enrolled" or "waitlist"

	// The identifiers of what will be posted, made once when the change is
	// queued: every attempt, also after a crash, posts the same ones, so a
	// platform never gets a Procedure twice.
	ProcedureIDs []string `json:"procedureIds,omitempty"`
	EnrollmentID string   `json:"enrollmentId,omitempty"`
}

// Enrollments are the program enrollment results a completion may report,
// with their labels (the IG's temporary codes).
var Enrollments = map[string]string{"enrolled": "Enrolled", "not-enrolled": "Not enrolled", "waitlist": "On a waitlist"}

// Complete completes a referral with what was done (see Completion); it is
// SetStatus(…, "completed", …) with the outcome sent first.
func (a *App) Complete(ctx context.Context, source int64, taskID string, done Completion) (Outcome, error) {
	if _, ok := Enrollments[done.Enrollment]; done.Enrollment != "" && !ok {
		return Outcome{}, &Error{Op: "complete", Kind: KindInvalid, Reason: ReasonUsage, Value: "enrollment is enrolled, not-enrolled or waitlist"}
	}
	if done.Performed == "" {
		done.Performed = a.now().Format("2006-01-02")
	}
	done.ProcedureIDs = nil
	for range max(len(done.Services), 1) {
		done.ProcedureIDs = append(done.ProcedureIDs, newUUID())
	}
	if done.Enrollment != "" {
		done.EnrollmentID = newUUID()
	}
	outcome, err := json.Marshal(done)
	if err != nil {
		return Outcome{}, &Error{Op: "complete", Kind: KindInternal, Err: err}
	}
	return a.setStatus(ctx, source, taskID, fhir.StatusCompleted, "", outcome)
}

// newUUID is a random (version 4) UUID as a urn:uuid value.
func newUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// deliver posts what a completion says was done, each at most once, and
// returns the Task outputs that point at it, leaving out those the Task
// already has (an earlier attempt's). A platform that does not take
// Procedures gets the services as codes in the outputs instead.
func (a *App) deliver(ctx context.Context, s *session, c storage.Change, latest fhir.Resource) ([]fhir.TaskIO, error) {
	var done Completion
	if err := json.Unmarshal(c.Outcome, &done); err != nil {
		return nil, &Error{Op: "complete", Kind: KindDamaged, Err: err}
	}
	task, _ := fhir.As[fhir.Task](latest)
	o, sr, err := a.outcomeOf(ctx, s, task)
	if err != nil {
		return nil, err
	}
	o.Performed = done.Performed
	caps, err := s.capabilities(ctx)
	if err != nil {
		return nil, err
	}
	var services []fhir.Coding
	for _, svc := range done.Services {
		services = append(services, svc.coding())
	}
	if len(services) == 0 && len(sr.Code.Coding) > 0 {
		services = sr.Code.Coding[:1]
	}
	var outputs []fhir.TaskIO
	for i, svc := range services {
		out, err := a.postProcedure(ctx, s, caps, o, done.ProcedureIDs[min(i, len(done.ProcedureIDs)-1)], svc)
		if err != nil {
			return nil, err
		}
		outputs = append(outputs, out)
	}
	if done.Enrollment != "" && len(services) > 0 {
		if allowed, conditional := caps.Allows("Observation", "create"); allowed {
			body := o.EnrollmentJSON(done.EnrollmentID, services[0], done.Enrollment, Enrollments[done.Enrollment])
			obs, err := s.fhir.CreateOnce(ctx, "Observation", body, done.EnrollmentID, conditional)
			if err != nil {
				return nil, err
			}
			outputs = append(outputs, output(fhir.CodeAdditionalContent, &fhir.Reference{Reference: obs.Ref()}, nil))
		}
	}
	return newOutputs(task.Output, outputs), nil
}

// outcomeOf is what every record of a Task's completion shares, from the
// Task and its ServiceRequest.
func (a *App) outcomeOf(ctx context.Context, s *session, task fhir.Task) (fhir.Outcome, fhir.ServiceRequest, error) {
	rs := newResources(ctx, a.store, s.src.ID)
	sr, ok := viewOf[fhir.ServiceRequest](rs, task.Focus)
	if !ok {
		typ, id, _ := task.Focus.TypeID()
		r, err := s.fhir.Read(ctx, typ, id)
		if err != nil {
			return fhir.Outcome{}, fhir.ServiceRequest{}, err
		}
		sr, _ = fhir.As[fhir.ServiceRequest](r)
	}
	o := fhir.Outcome{Subject: task.For, BasedOn: task.Focus, Reasons: sr.ReasonReference,
		Performer: fhir.Reference{Reference: s.src.Owner}}
	if task.Owner != nil && task.Owner.Reference != "" {
		o.Performer = *task.Owner
	}
	if cat, ok := sr.SDOHCategory(); ok {
		o.Category = cat
	}
	return o, sr, nil
}

// postProcedure posts the Procedure for one service, once, and returns the
// output that points at it; where the platform does not take Procedures
// (not in its CapabilityStatement, or refused), the output holds the
// service's code itself (the IG's PerformedActivityCode).
func (a *App) postProcedure(ctx context.Context, s *session, caps fhir.CapabilityStatement, o fhir.Outcome, id string, svc fhir.Coding) (fhir.TaskIO, error) {
	if allowed, conditional := caps.Allows("Procedure", "create"); allowed {
		p, err := s.fhir.CreateOnce(ctx, "Procedure", o.ProcedureJSON(id, svc), id, conditional)
		if err == nil {
			return output(fhir.CodeResultingActivity, &fhir.Reference{Reference: p.Ref()}, nil), nil
		}
		if k := KindOf(err); k != KindRefused && k != KindNotFound {
			return fhir.TaskIO{}, err
		}
		a.log.Info("the platform refused a Procedure; the service goes in the Task's output as a code", "cause", err)
	}
	return output(fhir.CodeResultingActivity, nil, &fhir.CodeableConcept{Coding: []fhir.Coding{svc}}), nil
}

// output is a Task output of the IG's type code.
func output(code string, ref *fhir.Reference, concept *fhir.CodeableConcept) fhir.TaskIO {
	return fhir.TaskIO{Type: fhir.CodeableConcept{Coding: []fhir.Coding{{System: fhir.SystemSDOHTemporary, Code: code}}},
		ValueReference: ref, ValueCodeableConcept: concept}
}

// newOutputs are those of add the Task does not have yet: an attempt that
// reached the platform before a crash left its outputs there.
func newOutputs(have, add []fhir.TaskIO) []fhir.TaskIO {
	var out []fhir.TaskIO
	for _, o := range add {
		if !slices.ContainsFunc(have, func(h fhir.TaskIO) bool { return sameOutput(h, o) }) {
			out = append(out, o)
		}
	}
	return out
}

func sameOutput(a, b fhir.TaskIO) bool {
	switch {
	case a.ValueReference != nil && b.ValueReference != nil:
		return a.ValueReference.Reference == b.ValueReference.Reference
	case a.ValueCodeableConcept != nil && b.ValueCodeableConcept != nil:
		return slices.Equal(a.ValueCodeableConcept.Coding, b.ValueCodeableConcept.Coding)
	}
	return false
}
