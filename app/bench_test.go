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
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/storage"
)

// recorder keeps every request a client sends, so the same requests can be
// replayed as a plain download.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
	on   bool
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
	return http.DefaultTransport.RoundTrip(req)
}

// platformEnv asks a re-executed test binary to serve the built-in platform
// with that many referrals instead of running tests.
const platformEnv = "REFERRALDESK_BENCH_PLATFORM_REFERRALS"

func TestMain(m *testing.M) {
	if n := os.Getenv(platformEnv); n != "" {
		servePlatform(n)
		return
	}
	os.Exit(m.Run())
}

// servePlatform serves the platform until standard input closes.
func servePlatform(n string) {
	count, _ := strconv.Atoi(n)
	srv, err := fhirtest.Start(fhirtest.Options{Referrals: count})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// Collect the generator's garbage now: the platform holds ~600 MB, and a
	// collection of that (~0.8 s of CPU) would otherwise land at random in
	// the sync or in the plain download.
	runtime.GC()
	fmt.Println(srv.URL())
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
}

// startPlatformProcess runs the platform in its own process, as a real one
// would be, so its work is not counted as the client's.
func startPlatformProcess(b *testing.B, referrals int) (string, *os.Process) {
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
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("the platform process did not start: %v", err)
	}
	return strings.TrimSpace(line), cmd.Process
}

// BenchmarkSync10k syncs about 10 000 owned referrals from the built-in
// platform over loopback and compares the time with a plain download of the
// very same HTTP requests (no parsing, no SQLite), one after the other, after
// a warm-up sync.
func BenchmarkSync10k(b *testing.B) {
	for range b.N {
		benchSync(b, 12_500)
	}
}

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
// transport (nil: the default one); the store closes when b ends.
func connectFresh(b *testing.B, platformURL string, transport http.RoundTripper) (*app.App, *storage.DB, app.Source) {
	store, err := storage.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	a := app.New(app.Options{Store: store, HTTP: &http.Client{Transport: transport, Timeout: 5 * time.Minute},
		OpenBrowser: fhirtest.ScriptedBrowser(platformURL, fhirtest.DemoUser, fhirtest.DemoPassword)})
	src, err := a.Connect(context.Background(), app.ConnectOptions{Link: platformURL + "/fhir"})
	if err != nil {
		b.Fatal(err)
	}
	return a, store, src
}

func benchSync(b *testing.B, referrals int) {
	ctx := context.Background()
	platformURL, platform := startPlatformProcess(b, referrals)
	warmUp(b, platformURL)
	rec := &recorder{}
	a, store, src := connectFresh(b, platformURL, rec)

	rec.on = true
	start, cpuStart, platformStart := time.Now(), cpuTime(), processCPU(platform)
	rep, err := a.Sync(ctx, src.ID)
	syncTime, syncCPU := time.Since(start), cpuTime()-cpuStart
	platformCPU := processCPU(platform) - platformStart
	rec.on = false
	if err != nil {
		b.Fatal(err)
	}
	// The log of the sync's pages is copied into the database file in the
	// background once it has ended, after the planner's statistics are
	// refreshed: timed apart, and over before the download.
	start = time.Now()
	store.WaitCheckpoint()
	checkpointTime := time.Since(start)

	plain := &http.Client{}
	start, cpuStart, platformStart = time.Now(), cpuTime(), processCPU(platform)
	for _, r := range rec.reqs {
		req, _ := http.NewRequest(r.method, r.url, bytes.NewReader(r.body))
		req.Header = r.header
		resp, err := plain.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	downloadTime, downloadCPU := time.Since(start), cpuTime()-cpuStart
	downloadPlatformCPU := processCPU(platform) - platformStart

	start = time.Now()
	again, err := a.Sync(ctx, src.ID)
	noChange := time.Since(start)
	if err != nil || again.New+again.Updated != 0 {
		b.Fatalf("no-change sync: %+v, %v", again, err)
	}

	b.ReportMetric(float64(rep.New), "referrals")
	b.ReportMetric(float64(rep.New)/syncTime.Seconds(), "referrals/s")
	b.ReportMetric(float64(rep.Requests), "requests")
	b.ReportMetric(syncTime.Seconds(), "sync-s")
	b.ReportMetric(downloadTime.Seconds(), "download-s")
	b.ReportMetric(syncTime.Seconds()/downloadTime.Seconds(), "sync/download")
	b.ReportMetric(checkpointTime.Seconds(), "checkpoint-after-s")
	b.ReportMetric(syncCPU.Seconds(), "client-cpu-s")
	b.ReportMetric(platformCPU.Seconds(), "platform-cpu-s")
	b.ReportMetric(downloadCPU.Seconds(), "download-client-cpu-s")
	b.ReportMetric(downloadPlatformCPU.Seconds(), "download-platform-cpu-s")
	b.ReportMetric(float64(noChange.Microseconds())/1000, "nochange-ms")
	b.ReportMetric(float64(again.Requests), "nochange-requests")
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
	resp, err := http.DefaultTransport.RoundTrip(req)
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
	platformURL, _ := startPlatformProcess(b, 12_500)
	rp := &replayer{answers: map[string]answer{}}
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
