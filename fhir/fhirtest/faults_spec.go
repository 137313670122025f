package fhirtest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FaultsHelp describes ParseFaults' spec, for a command's help.
const FaultsHelp = `SPEC is a comma-separated list of faults, for example
  latency=200ms,jitter=100ms,5xx=2%,429=1%,retry-after=30s,retry-after-date,seed=7
Names: seed=N latency=D jitter=D 5xx=R 429=R reset=R trickle=R retry-after=D
retry-after-date trickle-for=D malformed=R duplicate-key=R oversize=R
oversize-bytes=N oversize-declared token-outage=R requester-edits=R
(D a duration like 1.5s, R a share like 0.02 or 2%, N bytes).`

// faultSpec sets one named field of Faults from its text ("" for a name
// given alone).
var faultSpec = map[string]func(f *Faults, v string) error{
	"seed":              func(f *Faults, v string) (err error) { f.Seed, err = strconv.ParseUint(v, 10, 64); return },
	"latency":           func(f *Faults, v string) (err error) { f.Latency, err = duration(v); return },
	"jitter":            func(f *Faults, v string) (err error) { f.Jitter, err = duration(v); return },
	"5xx":               func(f *Faults, v string) (err error) { f.ServerErrorRate, err = share(v); return },
	"429":               func(f *Faults, v string) (err error) { f.ThrottleRate, err = share(v); return },
	"reset":             func(f *Faults, v string) (err error) { f.ResetRate, err = share(v); return },
	"trickle":           func(f *Faults, v string) (err error) { f.TrickleRate, err = share(v); return },
	"retry-after":       func(f *Faults, v string) (err error) { f.RetryAfter, err = duration(v); return },
	"retry-after-date":  func(f *Faults, v string) error { f.RetryAfterAsDate = true; return alone(v) },
	"trickle-for":       func(f *Faults, v string) (err error) { f.TrickleFor, err = duration(v); return },
	"malformed":         func(f *Faults, v string) (err error) { f.MalformedRate, err = share(v); return },
	"duplicate-key":     func(f *Faults, v string) (err error) { f.DuplicateKeyRate, err = share(v); return },
	"oversize":          func(f *Faults, v string) (err error) { f.OversizeRate, err = share(v); return },
	"oversize-bytes":    func(f *Faults, v string) (err error) { f.OversizeBytes, err = strconv.ParseInt(v, 10, 64); return },
	"oversize-declared": func(f *Faults, v string) error { f.OversizeDeclared = true; return alone(v) },
	"token-outage":      func(f *Faults, v string) (err error) { f.TokenOutageRate, err = share(v); return },
	"requester-edits":   func(f *Faults, v string) (err error) { f.RequesterEditRate, err = share(v); return },
}

// ParseFaults reads a spec of faults (FaultsHelp) as the demo-platform
// command takes it.
func ParseFaults(spec string) (Faults, error) {
	var f Faults
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, v, _ := strings.Cut(item, "=")
		set, ok := faultSpec[name]
		if !ok {
			return Faults{}, fmt.Errorf("no fault is called %q", name)
		}
		if err := set(&f, v); err != nil {
			return Faults{}, fmt.Errorf("fault %s: %w", name, err)
		}
	}
	if sum := f.ServerErrorRate + f.ThrottleRate + f.ResetRate + f.TrickleRate; sum > 1 {
		return Faults{}, fmt.Errorf("5xx, 429, reset and trickle strike %.0f%% of requests between them, more than all", sum*100)
	}
	return f, nil
}

func duration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err == nil && d < 0 {
		err = fmt.Errorf("%s is negative", v)
	}
	return d, err
}

// share reads a rate: 0.02 or 2%.
func share(v string) (float64, error) {
	pct := strings.HasSuffix(v, "%")
	x, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
	if err != nil {
		return 0, err
	}
	if pct {
		x /= 100
	}
	if !(x >= 0 && x <= 1) {
		return 0, fmt.Errorf("%s is not a share from 0 to 1 (or 0%% to 100%%)", v)
	}
	return x, nil
}

func alone(v string) error {
	if v != "" {
		return fmt.Errorf("takes no value")
	}
	return nil
}
