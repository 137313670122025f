package app_test

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/app"
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
)

// BenchmarkRefusingA1GBAnswer syncs a platform whose search page is a
// 1 GiB stream, made up as it is sent, and reports the process's peak
// resident memory while the sync refuses it (Linux: VmHWM, reset first;
// the platform runs in the same process, streaming from 64 KiB) and the
// bytes the refusal allocated. Issue 20 saw 290 MB before the body was
// read in chunks; the target is under 150 MB.
//
//	go test -tags migrated_fynedo -run '^$' -bench RefusingA1GBAnswer -benchtime 1x ./app/
func BenchmarkRefusingA1GBAnswer(b *testing.B) {
	srv := fhirtest.New(b, fhirtest.Options{Referrals: 3})
	a, _, src := connectFresh(b, srv.URL(), nil)
	srv.SetFaults(fhirtest.Faults{OversizeRate: 1, OversizeBytes: 1 << 30})
	runtime.GC()
	resetPeakRSS()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		if _, err := a.Sync(context.Background(), src.ID); app.KindOf(err) != app.KindDamaged {
			b.Fatalf("a 1 GiB page: %v (kind %v), want it refused", err, app.KindOf(err))
		}
	}
	runtime.ReadMemStats(&after)
	if rss := peakRSS(); rss > 0 {
		b.ReportMetric(float64(rss)/1e6, "peak-RSS-MB")
	}
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/1e6, "MB-alloc/op")
}

// peakRSS is the process's peak resident memory in bytes since the last
// resetPeakRSS, or -1 where the system does not say (not Linux).
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(v, "kB")), 10, 64)
			if err != nil {
				return -1
			}
			return kb << 10
		}
	}
	return -1
}

// resetPeakRSS starts peakRSS anew (Linux: "5" to clear_refs).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }
