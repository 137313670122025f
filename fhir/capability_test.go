package fhir

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir/wire"
)

func TestCapabilities(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the client followed a redirect to another server: %s", r.URL)
	}))
	t.Cleanup(other.Close)
	const statement = `{"resourceType":"CapabilityStatement","title":"Title","name":"Name","publisher":"Publisher",
		"software":{"name":"Software"},"implementation":{"description":"Eastside Referrals"},"rest":[{"mode":"server"}]}`
	for _, c := range []struct {
		name   string
		answer http.HandlerFunc
		want   []string // nil: an error of kind
		kind   Kind
		cause  error
	}{
		{"names", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(statement)) },
			[]string{"Eastside Referrals", "Title", "Name", "Publisher", "Software"}, 0, nil},
		{"no names", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"resourceType":"CapabilityStatement"}`))
		},
			[]string{"", "", "", "", ""}, 0, nil},
		{"not a CapabilityStatement", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"resourceType":"Patient","id":"p"}`)) },
			nil, KindBadResponse, nil},
		{"a web page", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`<html>sign in</html>`)) },
			nil, KindBadResponse, nil},
		{"a name of the wrong shape", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"resourceType":"CapabilityStatement","software":"Software"}`))
		}, nil, KindBadResponse, nil},
		{"not found", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) },
			nil, KindNotFound, nil},
		{"over 8 MiB", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"resourceType":"CapabilityStatement","name":"` + strings.Repeat("a", 8<<20) + `"}`))
		}, nil, KindBadResponse, wire.ErrTooLarge},
		{"a redirect to another server", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/fhir/metadata", http.StatusFound)
		}, nil, KindRefused, wire.ErrOffOrigin},
	} {
		t.Run(c.name, func(t *testing.T) {
			var path, authorization string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				path, authorization = r.URL.Path, r.Header.Get("Authorization")
				c.answer(w, r)
			}))
			t.Cleanup(srv.Close)
			cl, _ := NewClient(srv.URL+"/fhir", nil, nil)
			cs, err := cl.Capabilities(context.Background())
			if path != "/fhir/metadata" || authorization != "" {
				t.Errorf("asked %s with Authorization %q; want /fhir/metadata with none", path, authorization)
			}
			if c.want == nil {
				if KindOf(err) != c.kind || (c.cause != nil && !errors.Is(err, c.cause)) {
					t.Errorf("err = %v (kind %v); want kind %v, cause %v", err, KindOf(err), c.kind, c.cause)
				}
				return
			}
			if err != nil || !slices.Equal(cs.Names(), c.want) {
				t.Errorf("Capabilities() = %q, %v; want %q", cs.Names(), err, c.want)
			}
		})
	}
}
