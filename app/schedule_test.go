package app_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/referraldesk/referraldesk/app"
)

func TestScheduleRunsAtStartThenOnCadence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var runs []time.Duration
		start := time.Now()
		s := app.NewSchedule(20*time.Minute, func(context.Context) { runs = append(runs, time.Since(start)) })
		go s.Run(ctx)
		time.Sleep(61 * time.Minute)
		cancel()
		synctest.Wait()
		want := []time.Duration{0, 20 * time.Minute, 40 * time.Minute, 60 * time.Minute}
		if len(runs) != len(want) {
			t.Fatalf("runs at %v, want %v", runs, want)
		}
		for i := range want {
			if runs[i] != want[i] {
				t.Fatalf("runs at %v, want %v", runs, want)
			}
		}
	})
}

func TestScheduleNeverPollsMoreOftenThan15Minutes(t *testing.T) {
	if got := app.NewSchedule(time.Minute, func(context.Context) {}).Every(); got != app.MinSyncEvery {
		t.Fatalf("every = %v, want %v", got, app.MinSyncEvery)
	}
	if got := app.NewSchedule(0, func(context.Context) {}).Every(); got != app.DefaultSyncEvery {
		t.Fatalf("default every = %v, want %v", got, app.DefaultSyncEvery)
	}
}

func TestSyncNowBypassesCadenceAndRestartsTheWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var runs []time.Duration
		start := time.Now()
		s := app.NewSchedule(15*time.Minute, func(context.Context) { runs = append(runs, time.Since(start)) })
		go s.Run(ctx)
		time.Sleep(time.Minute)
		s.SyncNow()
		synctest.Wait()
		time.Sleep(15*time.Minute + time.Second)
		cancel()
		synctest.Wait()
		want := []time.Duration{0, time.Minute, 16 * time.Minute}
		if len(runs) != len(want) || runs[1] != want[1] || runs[2] != want[2] {
			t.Fatalf("runs at %v, want %v", runs, want)
		}
	})
}
