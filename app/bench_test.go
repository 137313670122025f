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
	fmt.Println(srv.URL())
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
}

// startPlatformProcess runs the platform in its own process, as a real one
// would be, so its work is not counted as the client's.
func startPlatformProcess(b *testing.B, referrals int) string {
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
	return strings.TrimSpace(line)
}

// BenchmarkSync10k syncs about 10 000 owned referrals from the built-in
// platform over loopback and compares the time with a plain download of the
// very same HTTP requests (no parsing, no SQLite).
func BenchmarkSync10k(b *testing.B) {
	for range b.N {
		benchSync(b, 12_500)
	}
}

func benchSync(b *testing.B, referrals int) {
	ctx := context.Background()
	platformURL := startPlatformProcess(b, referrals)
	store, err := storage.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	rec := &recorder{}
	a := app.New(app.Options{Store: store, HTTP: &http.Client{Transport: rec, Timeout: 5 * time.Minute},
		OpenBrowser: fhirtest.ScriptedBrowser(platformURL, fhirtest.DemoUser, fhirtest.DemoPassword)})
	src, err := a.Connect(ctx, app.ConnectOptions{Link: platformURL + "/fhir"})
	if err != nil {
		b.Fatal(err)
	}

	rec.on = true
	start, cpuStart := time.Now(), cpuTime()
	rep, err := a.Sync(ctx, src.ID)
	syncTime, syncCPU := time.Since(start), cpuTime()-cpuStart
	rec.on = false
	if err != nil {
		b.Fatal(err)
	}

	plain := &http.Client{}
	start = time.Now()
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
	downloadTime := time.Since(start)

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
	b.ReportMetric(syncCPU.Seconds(), "client-cpu-s")
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
