package scan

import (
	"slices"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/ui/scan/scantest"
)

// suiteReport is how the decoder fared on synthetic frames.
type suiteReport struct {
	hits, total    map[string]int // per condition, within one rotation of the strategies
	firstHits      map[string]int // per condition, on the first frame alone
	plain          map[string]int // per condition, by plain gozxing (hybrid binarizer, whole frame): the baseline
	falsePositives int
	wrong          int // decoded, but not the payload
	ms             []float64
}

// evaluate shows each synthetic frame to a fresh decoder len(frameStrategies)
// times in a row, as a camera held still shows nearly the same frame: a hit
// within those frames is a read within one turn of the strategies (≈ 170 ms
// at 30 fps). Every Frame call is timed.
func evaluate(frames []scantest.Frame) suiteReport {
	r := suiteReport{hits: map[string]int{}, total: map[string]int{}, firstHits: map[string]int{}, plain: map[string]int{}}
	for _, f := range frames {
		r.total[f.Condition]++
		if res, ok := NewDecoder().try(strategy{name: "plain", scale: 1, bitmap: hybrid(whole)}, lumaOf(f.Image)); ok && res.Text == f.Payload {
			r.plain[f.Condition]++
		}
		d := NewDecoder()
		for turn := range frameStrategies {
			start := time.Now()
			res, ok := d.Frame(f.Image)
			r.ms = append(r.ms, float64(time.Since(start).Microseconds())/1000)
			if !ok {
				continue
			}
			switch {
			case f.Payload == "":
				r.falsePositives++
			case res.Text != f.Payload:
				r.wrong++
			default:
				r.hits[f.Condition]++
				if turn == 0 {
					r.firstHits[f.Condition]++
				}
			}
			break
		}
	}
	slices.Sort(r.ms)
	return r
}

// hard sums hits and frames over the hard conditions (every one but NoCode).
func (r suiteReport) hard(hits map[string]int) (int, int) {
	h, n := 0, 0
	for _, c := range scantest.Conditions {
		h, n = h+hits[c], n+r.total[c]
	}
	return h, n
}

func (r suiteReport) quantile(q float64) float64 {
	if len(r.ms) == 0 {
		return 0
	}
	return r.ms[int(q*float64(len(r.ms)-1))]
}

func TestSyntheticFramesNeverFalsePositive(t *testing.T) {
	frames := scantest.Suite(7, 2)
	r := evaluate(frames)
	if r.falsePositives != 0 || r.wrong != 0 {
		t.Fatalf("false positives %d, wrong text %d", r.falsePositives, r.wrong)
	}
	if h, n := r.hard(r.hits); h*2 < n { // the benchmark holds the real target; this catches a broken decoder
		t.Errorf("read %d of %d hard synthetic frames", h, n)
	}
}

func BenchmarkFrames(b *testing.B) {
	frames := scantest.Suite(1, 24)
	b.ResetTimer()
	var r suiteReport
	for b.Loop() {
		r = evaluate(frames)
	}
	for _, c := range scantest.Conditions {
		b.ReportMetric(100*float64(r.hits[c])/float64(r.total[c]), c+"-%")
		b.Logf("%-12s %3d/%3d read (%3d on the first frame; plain gozxing %3d)", c, r.hits[c], r.total[c], r.firstHits[c], r.plain[c])
	}
	h, n := r.hard(r.hits)
	f, _ := r.hard(r.firstHits)
	p, _ := r.hard(r.plain)
	b.ReportMetric(100*float64(h)/float64(n), "overall-%")
	b.ReportMetric(100*float64(f)/float64(n), "first-frame-%")
	b.ReportMetric(100*float64(p)/float64(n), "plain-gozxing-%")
	b.ReportMetric(r.quantile(0.5), "median-ms")
	b.ReportMetric(r.quantile(0.9), "p90-ms")
	b.ReportMetric(float64(r.falsePositives+r.wrong), "false-positives")
	b.Logf("overall %d/%d (%.1f %%), first frame %d, plain gozxing %d; median %.2f ms, p90 %.2f ms per frame; false positives %d, wrong text %d",
		h, n, 100*float64(h)/float64(n), f, p, r.quantile(0.5), r.quantile(0.9), r.falsePositives, r.wrong)
}
