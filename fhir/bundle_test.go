package fhir

import "testing"

func TestStatusCode(t *testing.T) {
	for status, want := range map[string]int{"200 OK": 200, "404": 404, "201 Created": 201, "": 0, "OK": 0, " 200": 0} {
		if got := statusCode(status); got != want {
			t.Errorf("statusCode(%q) = %d, want %d", status, got, want)
		}
	}
}
