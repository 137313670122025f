package app_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/app"
)

// wideAreaRTT is the round trip a platform across the country costs: what
// a case worker's office sees, where loopback sees none.
const wideAreaRTT = 50 * time.Millisecond

// distant is a transport that adds a round trip's time to each request,
// as a proxy in front of a distant platform would, and counts them.
type distant struct {
	next     http.RoundTripper
	requests atomic.Int64
}

func (d *distant) RoundTrip(req *http.Request) (*http.Response, error) {
	d.requests.Add(1)
	time.Sleep(wideAreaRTT) // the simulated distance, not a wait for anything
	return d.next.RoundTrip(req)
}

// BenchmarkAcceptOverDistance accepts a referral on a platform 50 ms away:
// a status change whose stored Task is the platform's latest goes as one
// conditional update, so it is confirmed in one round trip.
func BenchmarkAcceptOverDistance(b *testing.B) {
	ctx := context.Background()
	platformURL := startPlatformProcess(b, 200).URL
	d := &distant{next: app.NewTransport()}
	a, _, src := connectFresh(b, platformURL, d)
	if _, err := a.Sync(ctx, src.ID); err != nil {
		b.Fatal(err)
	}
	fresh, err := a.Inbox(ctx, app.InboxFilter{Statuses: app.ViewNew})
	if err != nil || len(fresh) < b.N {
		b.Fatalf("%d new referrals (%v); the benchmark needs %d", len(fresh), err, b.N)
	}
	var trips int64
	var took time.Duration
	for i := range b.N {
		before, start := d.requests.Load(), time.Now()
		out, err := a.SetStatus(ctx, src.ID, fresh[i].TaskID, "accepted", "")
		took += time.Since(start)
		trips += d.requests.Load() - before
		if err != nil || !out.Sent {
			b.Fatalf("accept: sent %v, %v", out.Sent, err)
		}
	}
	b.ReportMetric(float64(trips)/float64(b.N), "round-trips/accept")
	b.ReportMetric(took.Seconds()*1000/float64(b.N), "ms/accept")
}

// BenchmarkSync10kOverDistance syncs about 10 000 referrals from a platform
// 50 ms away and compares it with a plain download, one after the other,
// of the same requests over the same distance: the target is 1.2 at most.
func BenchmarkSync10kOverDistance(b *testing.B) {
	ctx := context.Background()
	platformURL := startPlatformProcess(b, 12_500).URL
	warmUp(b, platformURL)
	for range b.N {
		rec := &recorder{next: app.NewTransport()}
		d := &distant{next: rec}
		a, _, src := connectFresh(b, platformURL, d)
		rec.on = true
		start := time.Now()
		rep, err := a.Sync(ctx, src.ID)
		syncTook := time.Since(start)
		rec.on = false
		if err != nil {
			b.Fatal(err)
		}
		plain := &http.Client{Transport: &distant{next: http.DefaultTransport}}
		start = time.Now()
		downloadAll(b, plain, rec.reqs)
		download := time.Since(start)
		b.ReportMetric(float64(rep.New), "referrals")
		b.ReportMetric(float64(len(rec.reqs)), "requests")
		b.ReportMetric(syncTook.Seconds(), "sync-s")
		b.ReportMetric(download.Seconds(), "download-s")
		b.ReportMetric(syncTook.Seconds()/download.Seconds(), "sync/download")
	}
}
