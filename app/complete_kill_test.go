package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// sendEnv asks a re-executed test binary to send a data folder's queued
// changes (TestKilledCompletionsPostEachProcedureOnce).
const sendEnv = "REFERRALDESK_SEND_DIR"

// sendQueued is the child's side: sync every platform of the folder.
func sendQueued(dir string) {
	a, err := app.Open(dir, app.Options{})
	if err == nil {
		_, err = a.SyncAll(context.Background())
		a.Close(5 * time.Second)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Completions are sent by a process killed (SIGKILL) at 30 random points of
// the sending, then by one left to finish: every referral ends completed,
// with exactly one Procedure per service on the platform, each pointed at
// once by the Task's outputs.
func TestKilledCompletionsPostEachProcedureOnce(t *testing.T) {
	const completions, kills = 15, 30
	server := fhirtest.New(t, fhirtest.Options{Referrals: 60})
	dir := t.TempDir()
	a, err := app.Open(dir, app.Options{OpenBrowser: server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)})
	if err != nil {
		t.Fatal(err)
	}
	src, err := a.Connect(t.Context(), app.ConnectOptions{Link: server.FHIRBase()})
	if err == nil {
		_, err = a.Sync(t.Context(), src.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	tasks := queueCompletions(t, a, server, src.ID, completions)
	a.Close(5 * time.Second)

	// Each run is killed when the platform receives its k-th request, k at
	// random: between Procedures, before or after the Task update.
	var requests, killAt atomic.Int64
	killNow := make(chan struct{}, 1)
	server.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/fhir/") && requests.Add(1) == killAt.Load() {
			killNow <- struct{}{}
		}
		return false
	})
	rng := rand.New(rand.NewPCG(1, 2))
	killed := 0
	for run := 0; killed < kills; run++ {
		requests.Store(0)
		killAt.Store(1 + rng.Int64N(4))
		if sendRun(t, dir, killNow) {
			killed++
		} else if killed < kills {
			t.Fatalf("the queue was sent after %d kills; the test wants %d: queue more", killed, kills)
		}
	}
	killAt.Store(-1) // and one run left to finish
	if sendRun(t, dir, killNow) {
		t.Fatal("the last run was killed")
	}
	checkCompleted(t, server, tasks)
}

// queueCompletions accepts n referrals and completes each with two services
// while the platform is down, so the completions wait in the queue.
func queueCompletions(t *testing.T, a *app.App, server *fhirtest.Server, source int64, n int) []string {
	t.Helper()
	refs, err := a.Inbox(t.Context(), app.InboxFilter{Statuses: []string{"requested"}})
	if err != nil || len(refs) < n {
		t.Fatalf("%d requested referrals, %v", len(refs), err)
	}
	server.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/fhir/") {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	defer server.SetFault(nil)
	services := []app.Service{{System: fhir.SystemSNOMED, Code: "710925007", Display: "Provision of food"},
		{System: fhir.SystemSNOMED, Code: "464021000124109", Display: "Food pantry application assistance"}}
	var tasks []string
	for _, r := range refs[:n] {
		if _, err := a.SetStatus(t.Context(), source, r.TaskID, "accepted", ""); err != nil {
			t.Fatal(err)
		}
		if out, err := a.Complete(t.Context(), source, r.TaskID, app.Completion{Services: services}); err != nil || out.Sent {
			t.Fatalf("completing %s offline: %+v, %v", r.TaskID, out, err)
		}
		tasks = append(tasks, r.TaskID)
	}
	return tasks
}

// sendRun runs a child that sends the queue, killing it when killNow says;
// it reports whether it was killed.
func sendRun(t *testing.T, dir string, killNow chan struct{}) bool {
	cmd := childCommand(t, sendEnv+"="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-killNow:
		cmd.Process.Kill()
		<-exited
		return true
	case err := <-exited:
		select {
		case <-killNow: // the kill point came as the run ended
		default:
		}
		if err != nil {
			t.Fatalf("a run that was not killed failed: %v", err)
		}
		return false
	}
}

// checkCompleted checks every Task is completed, pointing once at each of
// its two Procedures, and the platform holds no other Procedure for it.
func checkCompleted(t *testing.T, server *fhirtest.Server, tasks []string) {
	t.Helper()
	basedOn := map[string]int{}
	for _, raw := range server.Resources("Procedure") {
		var p struct {
			BasedOn []fhir.Reference `json:"basedOn"`
		}
		json.Unmarshal(raw, &p)
		for _, b := range p.BasedOn {
			basedOn[b.Reference]++
		}
	}
	for _, id := range tasks {
		raw, _ := server.Resource("Task", id)
		var task fhir.Task
		json.Unmarshal(raw, &task)
		refs := map[string]int{}
		for _, o := range task.Output {
			if o.ValueReference != nil {
				refs[o.ValueReference.Reference]++
			}
		}
		if task.Status != "completed" || len(refs) != 2 || basedOn[task.Focus.Reference] != 2 {
			t.Errorf("Task/%s: %s, outputs %v, %d Procedures based on %s; want completed, two Procedures pointed at once",
				id, task.Status, refs, basedOn[task.Focus.Reference], task.Focus.Reference)
		}
		for ref, n := range refs {
			if n != 1 {
				t.Errorf("Task/%s points at %s %d times", id, ref, n)
			}
		}
	}
}

// The window and a command line are two processes: sending the same queue
// at once, each change goes out once and is marked sent, never a conflict.
func TestTwoProcessesSendEachChangeOnce(t *testing.T) {
	server := fhirtest.New(t, fhirtest.Options{Referrals: 40})
	dir := t.TempDir()
	a, err := app.Open(dir, app.Options{OpenBrowser: server.Browser(fhirtest.DemoUser, fhirtest.DemoPassword)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(5 * time.Second)
	src, err := a.Connect(t.Context(), app.ConnectOptions{Link: server.FHIRBase()})
	if err == nil {
		_, err = a.Sync(t.Context(), src.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	tasks := queueCompletions(t, a, server, src.ID, 12)
	server.ResetRequests()
	child := childCommand(t, sendEnv+"="+dir)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SyncAll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := child.Wait(); err != nil {
		t.Fatalf("the other process: %v", err)
	}
	puts := map[string]int{}
	for _, req := range server.Requests() {
		if req.Method == http.MethodPut {
			puts[req.Path]++
		}
	}
	for _, id := range tasks {
		// accept and complete: two updates of each Task, no more
		if n := puts["/fhir/Task/"+id]; n != 2 {
			t.Errorf("Task/%s was updated %d times; want twice (accept, complete)", id, n)
		}
	}
	checkCompleted(t, server, tasks)
	waiting, err := a.Sources(t.Context())
	if err != nil || waiting[0].Waiting != 0 {
		t.Errorf("after both: %+v, %v; want nothing waiting", waiting, err)
	}
}
