package fhir

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// An update names the version it was based on, or is not sent: a PUT
// without If-Match overwrites whatever the server has.
func TestUpdateWithoutAVersionSendsNothing(t *testing.T) {
	var puts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		puts.Add(1)
		w.Header().Set("Content-Type", "application/fhir+json")
		w.Write([]byte(`{"resourceType":"Task","id":"t1","meta":{"versionId":"2"}}`))
	}))
	defer srv.Close()
	c, _ := NewClient(srv.URL+"/fhir", nil, nil)
	_, err := c.Update(context.Background(), "Task", "t1", []byte(`{"resourceType":"Task","id":"t1"}`), "")
	if n := puts.Load(); n != 0 {
		t.Errorf("the server received %d requests for an update with no base version; want none: without If-Match it overwrites whatever the server has", n)
	}
	if !errors.Is(err, ErrNoBaseVersion) {
		t.Errorf("err = %v; want ErrNoBaseVersion", err)
	}
}
