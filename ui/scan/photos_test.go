package scan

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/referraldesk/referraldesk/fhir/fhirtest/fixtures"
)

// photosDir is the fixture folder of ZXing's public test photos
// (../shared/fixtures/qr-photos beside the repository), with the expected
// text beside each image.
const photosDir = "qr-photos"

type photo struct{ path, want string } // want "" = no code in it

func photos(tb testing.TB) []photo {
	tb.Helper()
	var out []photo
	dirs, _ := filepath.Glob(filepath.Join(fixtures.Dir(tb, photosDir), "*"))
	for _, dir := range dirs {
		imgs, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, p := range imgs {
			ext := strings.ToLower(filepath.Ext(p))
			if ext != ".png" && ext != ".jpg" && ext != ".jpeg" && ext != ".gif" {
				continue
			}
			ph := photo{path: p}
			if !strings.HasPrefix(filepath.Base(dir), "falsepositives") {
				want, err := os.ReadFile(strings.TrimSuffix(p, filepath.Ext(p)) + ".txt")
				if err != nil {
					continue
				}
				ph.want = string(want)
			}
			out = append(out, ph)
		}
	}
	slices.SortFunc(out, func(a, b photo) int { return strings.Compare(a.path, b.path) })
	return out
}

type photoReport struct {
	exact, codes, wrong, falsePositives, empty int
	ms                                         []float64
	misses                                     []string
}

func readPhotos(tb testing.TB, ps []photo) photoReport {
	var r photoReport
	for _, p := range ps {
		img, err := ReadImageFile(p.path)
		if err != nil {
			tb.Fatalf("%s: %v", p.path, err)
		}
		start := time.Now()
		res, _, err := DecodeImage(img)
		r.ms = append(r.ms, float64(time.Since(start).Microseconds())/1000)
		switch {
		case p.want == "":
			r.empty++
			if err == nil {
				r.falsePositives++
				r.misses = append(r.misses, "FALSE POSITIVE "+p.path)
			}
		case err != nil:
			r.codes++
			r.misses = append(r.misses, p.path)
		case res.Text == p.want:
			r.codes++
			r.exact++
		default:
			r.codes++
			r.wrong++
			r.misses = append(r.misses, "different text "+p.path)
		}
	}
	slices.Sort(r.ms)
	return r
}

func TestPhotosNoFalsePositives(t *testing.T) {
	var empty []photo
	for _, p := range photos(t) {
		if p.want == "" {
			empty = append(empty, p)
		}
	}
	if r := readPhotos(t, empty); r.falsePositives != 0 {
		t.Fatalf("codes reported in photos without one: %v", r.misses)
	}
}

func BenchmarkPhotos(b *testing.B) {
	ps := photos(b)
	var r photoReport
	for b.Loop() {
		r = readPhotos(b, ps)
	}
	b.ReportMetric(100*float64(r.exact)/float64(r.codes), "exact-%")
	b.ReportMetric(float64(r.falsePositives), "false-positives")
	b.ReportMetric(r.ms[len(r.ms)/2], "median-ms")
	b.Logf("exact text %d/%d (%.1f %%), different text %d; false positives %d of %d no-code photos; median %.1f ms",
		r.exact, r.codes, 100*float64(r.exact)/float64(r.codes), r.wrong, r.falsePositives, r.empty, r.ms[len(r.ms)/2])
	for _, m := range r.misses {
		b.Log("missed: " + m)
	}
}
