package main

import (
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// The crash suites start the real referraldesk binary as a child process,
// kill it (SIGKILL) after a random delay, let a clean run finish, and check
// the data folder against the platform's own copy (issue 20). The number of
// kills per suite is REFERRALDESK_CHAOS_KILLS (default 10; .ci/chaos runs
// 100); the seed is REFERRALDESK_CHAOS_SEED (default 1) and is printed.

const (
	chaosKillsEnv   = "REFERRALDESK_CHAOS_KILLS"
	chaosSeedEnv    = "REFERRALDESK_CHAOS_SEED"
	crashBrowserEnv = "REFERRALDESK_CRASH_BROWSER" // the platform the browser helper signs in to
	crashPassphrase = "crash suite passphrase of five words"
	crashService    = "http://snomed.info/sct|710925007" // Provision of food
)

// TestCrashBrowser is not a test: the binary under test runs this test
// binary as its $BROWSER, and it signs in on the platform as the demo user.
func TestCrashBrowser(t *testing.T) {
	platform := os.Getenv(crashBrowserEnv)
	if platform == "" || flag.NArg() != 1 {
		t.Skip("the crash suites' browser helper; run by referraldesk connect")
	}
	if err := fhirtest.ScriptedBrowser(platform, fhirtest.DemoUser, fhirtest.DemoPassword)(flag.Arg(0)); err != nil {
		t.Fatal(err)
	}
}

// crashRig is one platform and the built binary that syncs from it.
type crashRig struct {
	t        *testing.T
	bin      string
	platform *fhirtest.Server
	rng      *rand.Rand
	seed     uint64
}

// tally is what a suite prints: kills and each invariant's failures.
type tally struct {
	kills, integrity, missing, extra, duplicated, stale, sentTwice, lost int
}

func (c tally) String() string {
	return fmt.Sprintf("kills %d, integrity failures %d, missing %d, extra %d, duplicated %d, stale %d, sent twice %d, lost %d",
		c.kills, c.integrity, c.missing, c.extra, c.duplicated, c.stale, c.sentTwice, c.lost)
}

func (c tally) failures() int {
	return c.integrity + c.missing + c.extra + c.duplicated + c.stale + c.sentTwice + c.lost
}

func chaosKills() int {
	if n, err := strconv.Atoi(os.Getenv(chaosKillsEnv)); err == nil && n > 0 {
		return n
	}
	return 10
}

// buildOnce builds the real binary once per test run.
var builtBinary string

func crashBinary(t *testing.T) string {
	t.Helper()
	if builtBinary != "" {
		return builtBinary
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	dir, err := os.MkdirTemp("", "referraldesk-crash-")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "referraldesk")
	// -trimpath, as the release build (.ci/dist): make test builds both, and
	// they then share every compiled package; only the link differs.
	build := exec.Command("go", "build", "-tags", "migrated_fynedo", "-trimpath", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	builtBinary = bin
	return bin
}

func newCrashRig(t *testing.T, referrals int) *crashRig {
	if testing.Short() {
		t.Skip("crash suites start the real binary")
	}
	seed := uint64(1)
	if s, err := strconv.ParseUint(os.Getenv(chaosSeedEnv), 10, 64); err == nil {
		seed = s
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("seed %d (%s=%d reproduces the kill points)", seed, chaosSeedEnv, seed)
		}
	})
	return &crashRig{t: t, bin: crashBinary(t), seed: seed, rng: rand.New(rand.NewPCG(seed, uint64(len(t.Name())))),
		platform: fhirtest.New(t, fhirtest.Options{Referrals: referrals, PageSize: 100})}
}

func (r *crashRig) command(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(r.bin, append([]string{"--data-dir", dir}, args...)...)
	home := filepath.Join(dir, "..", filepath.Base(dir)+"-home")
	cmd.Env = append(os.Environ(),
		"REFERRALDESK_PASSPHRASE="+crashPassphrase, "REFERRALDESK_NEW_PASSPHRASE="+crashPassphrase,
		"BROWSER="+os.Args[0]+" -test.run=^TestCrashBrowser$", crashBrowserEnv+"="+r.platform.URL(),
		"HOME="+home, "XDG_CONFIG_HOME="+home, "DBUS_SESSION_BUS_ADDRESS=disabled:", "DISPLAY=")
	return cmd
}

// run runs a command to its end and fails the test if it fails.
func (r *crashRig) run(dir string, args ...string) string {
	r.t.Helper()
	out, err := r.command(dir, args...).CombinedOutput()
	if err != nil {
		r.t.Fatalf("referraldesk %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// killedRun starts a command and kills it after a delay drawn from [0, span).
// It reports whether the kill struck, whether the run succeeded otherwise,
// and how long it ran.
func (r *crashRig) killedRun(dir string, span time.Duration, args ...string) (killed, ok bool, took time.Duration) {
	r.t.Helper()
	cmd := r.command(dir, args...)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	timer := time.AfterFunc(time.Duration(r.rng.Int64N(int64(span))), func() { cmd.Process.Kill() })
	err := cmd.Wait()
	timer.Stop()
	took = time.Since(start)
	if ws, isWS := cmd.ProcessState.Sys().(syscall.WaitStatus); isWS && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		return true, false, took
	}
	return false, err == nil, took
}

// killLoop runs step until it has been killed kills times; each step gets the
// span its kill delay is drawn from, which shrinks to the longest run not
// killed so the kills fall inside the runs.
func (r *crashRig) killLoop(kills int, span time.Duration, step func(span time.Duration) bool) int {
	killed := 0
	for attempt := 0; killed < kills; attempt++ {
		if attempt > 6*kills {
			r.t.Fatalf("only %d kills in %d runs", killed, attempt)
		}
		if step(span) {
			killed++
		}
	}
	return killed
}

// platformTask is what the platform holds of a Task.
type platformTask struct {
	status, version, focus string
}

func (r *crashRig) platformTasks() map[string]platformTask {
	tasks := map[string]platformTask{}
	for _, raw := range r.platform.Resources("Task") {
		var tk struct {
			ID     string
			Status string
			Meta   struct{ VersionID string }
			Focus  struct{ Reference string }
			Owner  struct{ Reference string }
		}
		if err := json.Unmarshal(raw, &tk); err != nil {
			r.t.Fatal(err)
		}
		if tk.Owner.Reference != referralgen.OwnerOrganization {
			continue // another organization's: not this desk's to sync
		}
		tasks[tk.ID] = platformTask{tk.Status, tk.Meta.VersionID, tk.Focus.Reference}
	}
	return tasks
}

// check compares the data folder with the platform: PRAGMA integrity_check,
// every Task once at the platform's version and status, and nothing left
// waiting or in conflict in the outbox.
func (r *crashRig) check(dir string, c *tally) {
	r.t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "referraldesk.db"))
	if err != nil {
		r.t.Fatal(err)
	}
	defer db.Close()
	var integrity string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		c.integrity++
		r.t.Errorf("integrity_check: %q, %v", integrity, err)
	}
	rows, err := db.Query("SELECT task_id, status, version_id FROM referrals")
	if err != nil {
		r.t.Fatal(err)
	}
	local := map[string]platformTask{}
	for rows.Next() {
		var id string
		var tk platformTask
		if err := rows.Scan(&id, &tk.status, &tk.version); err != nil {
			r.t.Fatal(err)
		}
		if _, twice := local[id]; twice {
			c.duplicated++
			r.t.Errorf("Task/%s stored twice", id)
		}
		local[id] = tk
	}
	rows.Close()
	remote := r.platformTasks()
	for id, p := range remote {
		l, ok := local[id]
		switch {
		case !ok:
			c.missing++
			r.t.Errorf("Task/%s is on the platform, not in the inbox", id)
		case l.version != p.version || l.status != p.status:
			c.stale++
			r.t.Errorf("Task/%s: inbox has %s version %s, the platform %s version %s", id, l.status, l.version, p.status, p.version)
		}
	}
	for id := range local {
		if _, ok := remote[id]; !ok {
			c.extra++
			r.t.Errorf("Task/%s is in the inbox, not on the platform", id)
		}
	}
	var waiting int
	if err := db.QueryRow("SELECT count(*) FROM outbox WHERE state NOT IN ('sent', 'dismissed')").Scan(&waiting); err != nil {
		r.t.Fatal(err)
	}
	if waiting > 0 {
		c.lost += waiting
		r.t.Errorf("%d changes not sent (pending, sending, conflict or refused) after a clean sync", waiting)
	}
}

// connected connects a new data folder to the rig's platform.
func (r *crashRig) connected() string {
	dir := filepath.Join(r.t.TempDir(), "data")
	r.run(dir, "connect", r.platform.FHIRBase())
	return dir
}

func copyFolder(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err == nil {
			err = os.WriteFile(filepath.Join(to, e.Name()), b, 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func report(t *testing.T, suite string, c tally) {
	t.Helper()
	fmt.Printf("crash suite %s: %s\n", suite, c)
	if c.failures() > 0 {
		t.Errorf("%s: %s", suite, c)
	}
}

// A first sync of 3 000 referrals killed at a random point, then finished by
// a clean sync, leaves every referral once at the platform's version.
func TestCrashDuringFirstSync(t *testing.T) {
	r := newCrashRig(t, 3000)
	base := r.connected()
	var c tally
	span := 3 * time.Second
	for round := 1; c.kills < chaosKills(); round++ {
		if round > 2*chaosKills() {
			t.Fatalf("only %d kills in %d rounds", c.kills, round)
		}
		dir := filepath.Join(t.TempDir(), fmt.Sprint("round", round))
		copyFolder(t, base, dir)
		// Up to three kills of the same first sync, each run resuming it.
		for range 3 {
			killed, _, took := r.killedRun(dir, span, "sync")
			if !killed {
				span = took // the kills fall inside a whole sync
				break
			}
			c.kills++
		}
		r.run(dir, "sync")
		r.check(dir, &c)
	}
	report(t, "first sync", c)
}

// Incremental syncs of a platform whose requesters edit Tasks, change their
// status and send new referrals, each killed at a random point: after a clean
// sync the inbox holds every change (the watermark skipped none).
func TestCrashDuringIncrementalSync(t *testing.T) {
	r := newCrashRig(t, 1500)
	dir := r.connected()
	r.run(dir, "sync")
	ids := make([]string, 0, 1500)
	for id := range r.platformTasks() {
		ids = append(ids, id)
	}
	var c tally
	span := 2 * time.Second
	c.kills = r.killLoop(chaosKills(), span, func(_ time.Duration) bool {
		for range 150 { // a few pages of changes
			id := ids[r.rng.IntN(len(ids))]
			if err := r.platform.EditTaskAsRequester(id, fhirtest.EditNote); err != nil {
				t.Fatal(err)
			}
		}
		for range 20 {
			ids = append(ids, r.platform.AddReferral(referralgen.Spec{Owner: referralgen.OwnerOrganization}))
		}
		// and the requester keeps editing while the sync reads
		r.platform.SetFaults(fhirtest.Faults{Seed: r.rng.Uint64(), RequesterEditRate: 0.5})
		killed, _, took := r.killedRun(dir, span, "sync")
		if !killed && took < span {
			span = took
		}
		r.platform.SetFaults(fhirtest.Faults{})
		r.run(dir, "sync")
		r.check(dir, &c)
		return killed
	})
	report(t, "incremental sync", c)
}

// Status changes and completions (each with a Procedure), each command
// killed at a random point, then a clean sync: every change reached the
// platform once or not at all, and the inbox agrees with the platform.
func TestCrashDuringStatusChanges(t *testing.T) {
	r := newCrashRig(t, 400)
	dir := r.connected()
	r.run(dir, "sync")
	r.platform.ResetRequests()
	var requested []string
	for id, tk := range r.platformTasks() {
		if tk.status == "requested" {
			requested = append(requested, id)
		}
	}
	var c tally
	var accepted []string
	succeeded := map[string]string{} // Task → the status a command said it is now
	spans := map[string]time.Duration{"accepted": 3 * time.Second, "completed": 3 * time.Second}
	c.kills = r.killLoop(chaosKills(), 0, func(time.Duration) bool {
		to, id := "accepted", ""
		if len(accepted) > 0 && r.rng.IntN(2) == 0 {
			to, id, accepted = "completed", accepted[0], accepted[1:]
		} else {
			if len(requested) == 0 {
				t.Fatal("no requested referral left: give the platform more")
			}
			id, requested = requested[0], requested[1:]
		}
		args := []string{"set-status", id, to}
		if to == "completed" {
			args = append(args, "--service", crashService)
		}
		killed, ok, took := r.killedRun(dir, spans[to], args...)
		if !killed && took < spans[to] {
			spans[to] = took
		}
		if ok {
			succeeded[id] = to
		}
		r.run(dir, "sync")
		r.check(dir, &c)
		if r.platformTasks()[id].status == "accepted" {
			accepted = append(accepted, id)
		}
		return killed
	})
	r.countWrites(succeeded, &c)
	report(t, "status changes and completions", c)
}

// countWrites counts from the platform's record of requests the updates of
// each Task and the Procedures posted for it: at most one update per status
// change, one Procedure per completion; and every change a command said was
// made is on the platform.
func (r *crashRig) countWrites(succeeded map[string]string, c *tally) {
	r.t.Helper()
	puts := map[string]int{}
	for _, req := range r.platform.Requests() {
		if req.Method == http.MethodPut {
			puts[strings.TrimPrefix(req.Path, "/fhir/Task/")]++
		}
	}
	procedures := map[string]int{}
	for _, raw := range r.platform.Resources("Procedure") {
		var p struct{ BasedOn []struct{ Reference string } }
		json.Unmarshal(raw, &p)
		for _, b := range p.BasedOn {
			procedures[b.Reference]++
		}
	}
	step := map[string]int{"requested": 0, "accepted": 1, "completed": 2}
	for id, tk := range r.platformTasks() {
		changes := step[tk.status]
		if puts[id] > changes {
			c.sentTwice++
			r.t.Errorf("Task/%s (%s) was updated %d times; want %d", id, tk.status, puts[id], changes)
		}
		wantProcedures := 0
		if tk.status == "completed" {
			wantProcedures = 1
		}
		if n := procedures[tk.focus]; n != wantProcedures {
			if n > wantProcedures {
				c.sentTwice++
			} else {
				c.lost++
			}
			r.t.Errorf("Task/%s (%s): %d Procedures based on %s; want %d", id, tk.status, n, tk.focus, wantProcedures)
		}
		// A later command, killed, may have gone on to complete an accepted referral.
		if to, ok := succeeded[id]; ok && step[tk.status] < step[to] {
			c.lost++
			r.t.Errorf("Task/%s: set-status %s succeeded, the platform has %s", id, to, tk.status)
		}
	}
}

// Connect, killed at a random point (setting up the folder's protection,
// registering, signing in, saving the tokens), then run again to its end:
// the folder holds one source, its sign-in works, and a sync brings every
// referral.
func TestCrashDuringConnect(t *testing.T) {
	r := newCrashRig(t, 60)
	var c tally
	span := 5 * time.Second
	for round := 1; c.kills < chaosKills(); round++ {
		if round > 3*chaosKills() {
			t.Fatalf("only %d kills in %d rounds", c.kills, round)
		}
		dir := filepath.Join(t.TempDir(), fmt.Sprint("round", round))
		killed, _, took := r.killedRun(dir, span, "connect", r.platform.FHIRBase())
		if killed {
			c.kills++
		} else if took < span {
			span = took
		}
		out, err := r.command(dir, "connect", r.platform.FHIRBase()).CombinedOutput()
		if err != nil {
			c.lost++ // the folder the kill left cannot be connected: the sign-in is lost
			t.Errorf("connect after a kill: %v\n%s", err, out)
			continue
		}
		r.run(dir, "sync")
		r.check(dir, &c)
		if n := sourcesIn(t, dir); n != 1 {
			c.duplicated++
			t.Errorf("%d sources after connecting one platform twice; want 1", n)
		}
	}
	report(t, "connect", c)
}

func sourcesIn(t *testing.T, dir string) int {
	var n int
	folderQuery(t, dir, "SELECT count(*) FROM sources", &n)
	return n
}

// folderQuery scans the one value query gives in the data folder's database.
func folderQuery(t *testing.T, dir, query string, dest any) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "referraldesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(query).Scan(dest); err != nil {
		t.Fatal(err)
	}
}
