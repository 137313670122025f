package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/referraldesk/referraldesk/app"
)

// runSetStatus moves a referral to another status. A completion says what
// was done (app.Complete posts it before the Task is completed); a decline
// --at-capacity carries the IG's no-capacity code.
func runSetStatus(ctx context.Context, c *cmdline, args []string) error {
	fs := flag.NewFlagSet("set-status", flag.ContinueOnError)
	reason := fs.String("reason", "", "")
	atCapacity := fs.Bool("at-capacity", false, "")
	var done app.Completion
	fs.Var((*services)(&done.Services), "service", "")
	fs.StringVar(&done.Performed, "performed", "", "")
	enrolled := fs.String("enrolled", "", "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := needArgs(pos, 2, commands["set-status"].usage); err != nil {
		return err
	}
	to := pos[1]
	completing := to == "completed"
	if err := checkCompletion(fs, completing, *reason, done.Performed); err != nil {
		return err
	}
	if done.Enrollment, err = enrollment(*enrolled); err != nil {
		return err
	}
	if *atCapacity && to != "rejected" {
		return usageError("--at-capacity goes with rejected: set-status TASK rejected --at-capacity [--reason TEXT]")
	}
	ref, err := c.app.FindReferral(ctx, pos[0])
	if err != nil {
		return err
	}
	var out app.Outcome
	var before []byte // the Task as this desk has it: what a completion adds is what it lacks
	switch {
	case completing:
		var d *app.Detail
		if d, err = c.app.Referral(ctx, ref.SourceID, ref.TaskID); err != nil {
			return err
		}
		before = d.Raw["Task"]
		named(done.Services, app.ServicesFor(d.Need.CategoryCode, d.Need.Requested))
		out, err = c.app.Complete(ctx, ref.SourceID, ref.TaskID, done)
	case *atCapacity:
		out, err = c.app.DeclineAtCapacity(ctx, ref.SourceID, ref.TaskID, *reason)
	default:
		out, err = c.app.SetStatus(ctx, ref.SourceID, ref.TaskID, to, *reason)
	}
	if err != nil {
		return err
	}
	if !out.Sent {
		return &app.Error{Op: "set status", Reason: app.ReasonNotSent, Value: out.Message()}
	}
	c.printf("%s (version %s)\n", out.Message(), out.Task.Meta.VersionID) // the version, for support
	for _, o := range newOutcomes(before, out.Task.Raw) {
		if o.ref != "" {
			c.printf("Posted %s\n", o.ref)
		} else {
			c.printf("Sent as a code (the platform takes no Procedures): %s\n", o.value)
		}
	}
	return nil
}

// checkCompletion refuses what a completion does not take (a reason) and
// completion flags given with another status.
func checkCompletion(fs *flag.FlagSet, completing bool, reason, performed string) error {
	if completing && reason != "" {
		return usageError("a completion takes no --reason: say what was done with --service, --performed and --enrolled")
	}
	var misplaced []string
	fs.Visit(func(f *flag.Flag) {
		if !completing && (f.Name == "service" || f.Name == "performed" || f.Name == "enrolled") {
			misplaced = append(misplaced, "--"+f.Name)
		}
	})
	if len(misplaced) > 0 {
		return usageError(strings.Join(misplaced, ", ") + " goes with completed: set-status TASK completed [--service SYSTEM|CODE]...")
	}
	if _, err := time.Parse(time.DateOnly, performed); performed != "" && err != nil {
		return usageError(fmt.Sprintf("--performed %q is not a date: give it as YYYY-MM-DD", performed))
	}
	return nil
}

// enrollmentWords are --enrolled's values, as the app's enrollment codes.
var enrollmentWords = map[string]string{"yes": "enrolled", "no": "not-enrolled", "waitlist": "waitlist"}

func enrollment(word string) (string, error) {
	if word == "" {
		return "", nil
	}
	code, ok := enrollmentWords[word]
	if !ok {
		return "", usageError(fmt.Sprintf("--enrolled %q: say yes, no or waitlist", word))
	}
	return code, nil
}

// snomedCT is the system of a bare --service CODE: the IG's value sets of
// interventions draw on SNOMED CT.
const snomedCT = "http://snomed.info/sct"

// services is --service, given once per service delivered: SYSTEM|CODE
// (the FHIR search notation of a token), or a bare CODE of SNOMED CT.
type services []app.Service

func (s *services) String() string {
	if s == nil {
		return ""
	}
	var out []string
	for _, svc := range *s {
		out = append(out, svc.System+"|"+svc.Code)
	}
	return strings.Join(out, " ")
}

func (s *services) Set(v string) error {
	system, code, ok := strings.Cut(v, "|")
	if !ok {
		system, code = snomedCT, v
	}
	if system == "" || code == "" {
		return fmt.Errorf("give SYSTEM|CODE, or a SNOMED CT CODE")
	}
	*s = append(*s, app.Service{System: system, Code: code})
	return nil
}

// named gives the services typed as codes the names the app knows them by
// (those a completion of this referral may report), so that the records
// posted read as words too.
func named(typed []app.Service, known []app.Service) {
	for i, t := range typed {
		for _, k := range known {
			if k.System == t.System && k.Code == t.Code {
				typed[i].Display = k.Display
			}
		}
	}
}
