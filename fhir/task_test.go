package fhir

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Two copies of a Task agree on the workflow when status, statusReason and
// output are the same values, however they are written; anything else a
// requester edits does not count.
func TestSameWorkflow(t *testing.T) {
	base := `{"resourceType":"Task","id":"t","status":"requested","statusReason":{"text":"x"},"output":[{"type":{"text":"a"}}],"note":[{"text":"n"}]}`
	for _, tt := range []struct {
		other string
		same  bool
	}{
		{`{"note":[{"text":"other"}],"output":[ {"type": {"text":"a"}} ],"statusReason":{"text":"x"},"status":"requested","id":"t","resourceType":"Task","description":"new"}`, true},
		{`{"resourceType":"Task","id":"t","status":"cancelled","statusReason":{"text":"x"},"output":[{"type":{"text":"a"}}]}`, false},
		{`{"resourceType":"Task","id":"t","status":"requested","output":[{"type":{"text":"a"}}]}`, false},
		{`{"resourceType":"Task","id":"t","status":"requested","statusReason":{"text":"x"}}`, false},
		{`{"resourceType":"Task","id":"t","status":"requested","statusReason":{"text":"x"},"output":[{"type":{"text":"a"}},{"type":{"text":"b"}}]}`, false},
	} {
		if got := SameWorkflow([]byte(base), []byte(tt.other)); got != tt.same {
			t.Errorf("SameWorkflow(base, %.70s…) = %v; want %v", tt.other, got, tt.same)
		}
	}
}

// VRead asks for one version, and refuses an answer that is another.
func TestVRead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/fhir/Task/t1/_history/2":
			fmt.Fprint(w, `{"resourceType":"Task","id":"t1","meta":{"versionId":"2"},"status":"accepted"}`)
		case "/fhir/Task/t1/_history/3":
			fmt.Fprint(w, `{"resourceType":"Task","id":"t1","meta":{"versionId":"4"}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, _ := NewClient(srv.URL+"/fhir", nil, nil)
	ctx := context.Background()
	if r, err := c.VRead(ctx, "Task", "t1", "2"); err != nil || r.Meta.VersionID != "2" {
		t.Errorf("version 2: %+v, %v", r, err)
	}
	if _, err := c.VRead(ctx, "Task", "t1", "3"); KindOf(err) != KindBadResponse {
		t.Errorf("an answer with another version: %v; want a bad response", err)
	}
	var fe *Error
	if _, err := c.VRead(ctx, "Task", "t1", "9"); !errors.As(err, &fe) || fe.Kind != KindNotFound {
		t.Errorf("an unknown version: %v; want not found", err)
	}
}
