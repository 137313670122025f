package app_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/storage"
	"github.com/referraldesk/referraldesk/storage/keys"
)

// recorder keeps every request a client sends, so the same requests can be
// replayed as a plain download, and sends it with the app's own transport.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
	on   bool
	next *http.Transport
}

type recorded struct {
	method, url string
	header      http.Header
	body        []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	if r.on {
		var body []byte
		if req.Body != nil {
			body, _ = io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		r.reqs = append(r.reqs, recorded{req.Method, req.URL.String(), req.Header.Clone(), body})
	}
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

// platformEnv asks a re-executed test binary to serve the built-in platform
// with that many referrals instead of running tests.
const platformEnv = "REFERRALDESK_BENCH_PLATFORM_REFERRALS"

func TestMain(m *testing.M) {
	if n := os.Getenv(platformEnv); n != "" {
		servePlatform(n)
		return
	}
	if step := os.Getenv(canaryEnv); step != "" {
		canaryStep(step)
	}
	if dir := os.Getenv(sendEnv); dir != "" {
		sendQueued(dir)
	}
	os.Exit(m.Run())
}

// servePlatform serves the platform until standard input closes, collecting
// its garbage whenever a line "gc" asks, and answering "collected".
func servePlatform(n string) {
	count, _ := strconv.Atoi(n)
	srv, err := fhirtest.Start(fhirtest.Options{Referrals: count})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println(srv.URL())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "gc" {
			runtime.GC()
			fmt.Println("collected")
		}
	}
	srv.Close()
}

// platformProcess is the built-in platform running in a process of its own,
// as a real one would, so its work is not counted as the client's.
type platformProcess struct {
	URL  string
	proc *os.Process
	in   io.Writer
	out  *bufio.Reader
}

func startPlatformProcess(b *testing.B, referrals int) *platformProcess {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", platformEnv, referrals))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	p := &platformProcess{proc: cmd.Process, in: stdin, out: bufio.NewReader(stdout)}
	line, err := p.out.ReadString('\n')
	if err != nil {
		b.Fatalf("the platform process did not start: %v", err)
	}
	p.URL = strings.TrimSpace(line)
	return p
}

// collect has the platform collect its garbage and waits for the end. The
// platform holds ~600 MB; a collection of that (~0.5 s of CPU) would
// otherwise land at random in a sync or in a plain download.
func (p *platformProcess) collect(b *testing.B) {
	if _, err := io.WriteString(p.in, "gc\n"); err != nil {
		b.Fatal(err)
	}
	if line, err := p.out.ReadString('\n'); err != nil || line != "collected\n" {
		b.Fatalf("the platform did not collect its garbage: %q, %v", line, err)
	}
}

// cpu is the CPU time the platform has used, from /proc (0 where there is none).
func (p *platformProcess) cpu() time.Duration { return processCPU(p.proc) }

// BenchmarkSync10k syncs about 10 000 owned referrals from the built-in
// platform over loopback and compares the time with a plain download of the
// very same HTTP requests (no parsing, no SQLite), one after the other, after
// a warm-up sync. It measures syncRounds such pairs, each sync into a new
// store, and reports the median of each figure: on a 2-core machine shared
// with other work a single pair's ratio strayed by ±0.15. Both processes
// collect their garbage before each phase. Without that, the platform's
// ~600 MB heap grew through the phases unevenly, and each cost it ~0.35 s
// more CPU than when it starts collected: the download took 0.9-1.0 s
// instead of 0.6-0.65 s, which flattered the ratio (1.4 instead of 1.8).
func BenchmarkSync10k(b *testing.B) {
	for range b.N {
		benchSync(b, 12_500)
	}
}

const syncRounds = 3

// warmUp syncs everything once into a store of its own and drops it, so that
// neither measured phase is the platform's (nor the client's) first run of
// these requests: without it, the platform spent up to 0.3 s more CPU on the
// measured sync than on the same requests in the download that follows.
func warmUp(b *testing.B, platformURL string) {
	a, store, src := connectFresh(b, platformURL, nil)
	if _, err := a.Sync(context.Background(), src.ID); err != nil {
		b.Fatal(err)
	}
	store.WaitCheckpoint()
}

// connectFresh connects a new, empty store to the platform, sending through
// transport (nil: the app's own); the store closes when b ends.
func connectFresh(b *testing.B, platformURL string, transport http.RoundTripper) (*app.App, *storage.DB, app.Source) {
	store := encryptedStore(b, filepath.Join(b.TempDir(), "bench.db"))
	b.Cleanup(func() { store.Close() })
	if transport == nil {
		transport = app.NewTransport()
	}
	a := app.New(app.Options{Store: store, HTTP: &http.Client{Transport: transport, Timeout: 5 * time.Minute},
		OpenBrowser: fhirtest.ScriptedBrowser(platformURL, fhirtest.DemoUser, fhirtest.DemoPassword)})
	src, err := a.Connect(context.Background(), app.ConnectOptions{Link: platformURL + "/fhir"})
	if err != nil {
		b.Fatal(err)
	}
	return a, store, src
}

// benchKey is the data key of every benchmark's store: stores are
// encrypted, as every data folder is once protected.
var benchKey = func() []byte {
	k, _ := keys.NewDataKey()
	return k
}()

// encryptedStore creates an encrypted store at path, open with benchKey.
func encryptedStore(b *testing.B, path string) *storage.DB {
	b.Helper()
	w, err := keys.WrapWithRecovery(benchKey, "0000-0000-0000-0000-0000-0000-0000-0000")
	if err != nil {
		b.Fatal(err)
	}
	if err := storage.EncryptFile(context.Background(), path, benchKey, keys.Vault{Passphrase: w, Recovery: w}); err != nil {
		b.Fatal(err)
	}
	store, err := storage.Open(path, storage.WithDataKey(benchKey))
	if err != nil {
		b.Fatal(err)
	}
	return store
}

// round is one measured sync and the plain download of its requests.
type round struct {
	rep                           app.SyncReport
	sync, download, checkpoint    time.Duration
	syncCPU, platformCPU          time.Duration // during the sync
	downloadCPU, downloadPlatform time.Duration // during the download
}

func benchSync(b *testing.B, referrals int) {
	ctx := context.Background()
	platform := startPlatformProcess(b, referrals)
	warmUp(b, platform.URL)
	var rounds []round
	var a *app.App
	var src app.Source
	for range syncRounds {
		var r round
		r, a, src = measureRound(b, platform)
		rounds = append(rounds, r)
	}

	start := time.Now()
	again, err := a.Sync(ctx, src.ID)
	noChange := time.Since(start)
	if err != nil || again.New+again.Updated != 0 {
		b.Fatalf("no-change sync: %+v, %v", again, err)
	}

	median := func(f func(r round) float64) float64 {
		v := make([]float64, len(rounds))
		for i, r := range rounds {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	ratio := func(r round) float64 { return r.sync.Seconds() / r.download.Seconds() }
	worst := 0.0
	for _, r := range rounds {
		worst = max(worst, ratio(r))
	}
	rep := rounds[0].rep
	b.ReportMetric(float64(rep.New), "referrals")
	b.ReportMetric(median(func(r round) float64 { return float64(r.rep.New) / r.sync.Seconds() }), "referrals/s")
	b.ReportMetric(float64(rep.Requests), "requests")
	b.ReportMetric(median(func(r round) float64 { return r.sync.Seconds() }), "sync-s")
	b.ReportMetric(median(func(r round) float64 { return r.download.Seconds() }), "download-s")
	b.ReportMetric(median(ratio), "sync/download")
	b.ReportMetric(worst, "sync/download-worst")
	b.ReportMetric(median(func(r round) float64 { return r.checkpoint.Seconds() }), "checkpoint-after-s")
	b.ReportMetric(median(func(r round) float64 { return r.syncCPU.Seconds() }), "client-cpu-s")
	b.ReportMetric(median(func(r round) float64 { return r.platformCPU.Seconds() }), "platform-cpu-s")
	b.ReportMetric(median(func(r round) float64 { return r.downloadCPU.Seconds() }), "download-client-cpu-s")
	b.ReportMetric(median(func(r round) float64 { return r.downloadPlatform.Seconds() }), "download-platform-cpu-s")
	b.ReportMetric(float64(noChange.Microseconds())/1000, "nochange-ms")
	b.ReportMetric(float64(again.Requests), "nochange-requests")
}

// measureRound syncs into a new store, recording the requests, then
// downloads the same requests plainly; both processes collect their garbage
// before each. It returns the store's app and source.
func measureRound(b *testing.B, platform *platformProcess) (round, *app.App, app.Source) {
	var r round
	rec := &recorder{next: app.NewTransport()}
	a, store, src := connectFresh(b, platform.URL, rec)
	platform.collect(b)
	runtime.GC()
	rec.on = true
	start, cpuStart, platformStart := time.Now(), cpuTime(), platform.cpu()
	rep, err := a.Sync(context.Background(), src.ID)
	r.rep, r.sync, r.syncCPU = rep, time.Since(start), cpuTime()-cpuStart
	r.platformCPU = platform.cpu() - platformStart
	rec.on = false
	if err != nil {
		b.Fatal(err)
	}
	// The log of the sync's pages is copied into the database file in the
	// background once it has ended, after the planner's statistics are
	// refreshed: timed apart, and over before the download.
	start = time.Now()
	store.WaitCheckpoint()
	r.checkpoint = time.Since(start)

	plain := &http.Client{}
	platform.collect(b)
	runtime.GC()
	start, cpuStart, platformStart = time.Now(), cpuTime(), platform.cpu()
	downloadAll(b, plain, rec.reqs)
	r.download, r.downloadCPU = time.Since(start), cpuTime()-cpuStart
	r.downloadPlatform = platform.cpu() - platformStart
	return r, a, src
}

// downloadAll sends the recorded requests again, one after the other, and
// reads each answer whole: the plain download a sync is measured against.
func downloadAll(b *testing.B, c *http.Client, reqs []recorded) {
	for _, q := range reqs {
		req, _ := http.NewRequest(q.method, q.url, bytes.NewReader(q.body))
		req.Header = q.header
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// cpuTime is the CPU time this process (Referral Desk's side; the platform
// runs in its own process) has used: a figure that load on the machine does
// not distort, unlike wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPU is the CPU time another process has used, from /proc (0 where
// there is none).
func processCPU(p *os.Process) time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (which may hold spaces) in ")": utime
	// and stime are the 12th and 13th of them, in clock ticks (100 per second).
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// replayer answers the requests it has recorded answers for from memory and
// passes every other one to the network.
type replayer struct {
	answers map[string]answer // by method, URL and body
	record  bool
	mu      sync.Mutex
	next    *http.Transport // for what is not replayed
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func replayKey(req *http.Request, body []byte) string {
	return req.Method + " " + req.URL.String() + "\n" + string(body)
}

func (r *replayer) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	key := replayKey(req, body)
	r.mu.Lock()
	a, ok := r.answers[key]
	record := r.record
	r.mu.Unlock()
	if ok && !record {
		return &http.Response{StatusCode: a.status, Header: a.header.Clone(), Request: req,
			Body: io.NopCloser(bytes.NewReader(a.body)), ContentLength: int64(len(a.body))}, nil
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil || !record {
		return resp, err
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.answers[key] = answer{resp.StatusCode, resp.Header.Clone(), got}
	r.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(got))
	return resp, nil
}

// BenchmarkSyncClient10k measures Referral Desk's own cost of a 10 000
// referral sync: the platform's answers are recorded once and then served
// from memory, so neither the platform nor the network is in the figures.
func BenchmarkSyncClient10k(b *testing.B) {
	ctx := context.Background()
	platformURL := startPlatformProcess(b, 12_500).URL
	rp := &replayer{answers: map[string]answer{}, next: app.NewTransport()}
	a, store, src := connectFresh(b, platformURL, rp)
	rp.record = true
	if _, err := a.Sync(ctx, src.ID); err != nil {
		b.Fatal(err)
	}
	rp.record = false
	store.WaitCheckpoint()
	var cpu, wall time.Duration
	var rep app.SyncReport
	for b.Loop() {
		b.StopTimer()
		a, store, src := connectFresh(b, platformURL, rp)
		runtime.GC()
		b.StartTimer()
		start, cpuStart := time.Now(), cpuTime()
		var err error
		rep, err = a.Sync(ctx, src.ID)
		wall, cpu = wall+time.Since(start), cpu+cpuTime()-cpuStart
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		store.WaitCheckpoint()
		b.StartTimer()
	}
	b.ReportMetric(float64(rep.New), "referrals")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "client-cpu-s")
	b.ReportMetric(wall.Seconds()/float64(b.N), "sync-s")
}

// BenchmarkUnlock opens a protected data folder and unlocks it with the
// passphrase, as at every start without the keyring: Argon2id at the
// costs new passphrases get (keys.DefaultParams).
func BenchmarkUnlock(b *testing.B) {
	dir := b.TempDir()
	a, err := app.Open(dir, app.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.SetUp(context.Background(), "four words make a passphrase", false); err != nil {
		b.Fatal(err)
	}
	a.Close(time.Second)
	for b.Loop() {
		a, err := app.Open(dir, app.Options{})
		if err == nil {
			err = a.Unlock(context.Background(), "four words make a passphrase", false)
		}
		if err != nil {
			b.Fatal(err)
		}
		a.Close(time.Second)
	}
}
