package storage

import (
	"database/sql"
	"fmt"
	"time"
)

// timeLayout is how local times are stored: UTC, fixed width, so that text
// order is time order and a round trip is exact.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// timeText is the stored form of t; the zero time is stored as NULL.
func timeText(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// parseTime reads a column written by timeText.
func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s.String, err)
	}
	return t, nil
}

// instantKey is an ordering key for a server-given FHIR instant or dateTime:
// full timestamps (any offset) become UTC fixed-width text so "10:00+02:00"
// sorts before "09:00Z"; partial dates ("2024-03") are kept as given, which
// still sorts them before the timestamps of the same period.
func instantKey(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.UTC().Format(timeLayout)
}
