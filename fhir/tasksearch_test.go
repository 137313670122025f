package fhir

import (
	"net/url"
	"reflect"
	"testing"
)

func TestTaskSearchQuery(t *testing.T) {
	for _, c := range []struct {
		name   string
		search TaskSearch
		want   url.Values // nil: refused
	}{
		{"first sync", TaskSearch{Owner: "Organization/cbo-1", PageSize: 200, Include: []string{"Task:focus", "Task:patient"}},
			url.Values{"owner": {"Organization/cbo-1"}, "_sort": {"_lastUpdated"}, "_count": {"200"}, "_include": {"Task:focus", "Task:patient"}}},
		{"since the server's time, verbatim", TaskSearch{Owner: "Organization/cbo-1", Since: "2026-03-04T05:06:07.123+01:00"},
			url.Values{"owner": {"Organization/cbo-1"}, "_sort": {"_lastUpdated"}, "_lastUpdated": {"gt2026-03-04T05:06:07.123+01:00"}}},
		{"owner of another type", TaskSearch{Owner: "PractitionerRole/7"},
			url.Values{"owner": {"PractitionerRole/7"}, "_sort": {"_lastUpdated"}}},
		{"owner with a version", TaskSearch{Owner: "HealthcareService/hs-2/_history/3"},
			url.Values{"owner": {"HealthcareService/hs-2"}, "_sort": {"_lastUpdated"}}},
		{"absolute owner", TaskSearch{Owner: "https://platform.example/fhir/Organization/9"},
			url.Values{"owner": {"https://platform.example/fhir/Organization/9"}, "_sort": {"_lastUpdated"}}},
		{"bare id", TaskSearch{Owner: "cbo-1"}, nil},
		{"no owner", TaskSearch{}, nil},
		{"lower-case type", TaskSearch{Owner: "organization/1"}, nil},
		{"negative page size", TaskSearch{Owner: "Organization/1", PageSize: -1}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.search.Query()
			if c.want == nil {
				if err == nil || KindOf(err) != KindRefused {
					t.Fatalf("Query() = %v, %v; want it refused", got, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Errorf("Query() = %v, %v; want %v", got, err, c.want)
			}
		})
	}
}
