package fhir

import (
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// lenient are the decode options for what servers send around resources
// (Bundles, OperationOutcomes): duplicate member names and invalid UTF-8
// are tolerated as encoding/json (v1) tolerates them, since a receiver must
// not fail on data it can still read.
var lenient = jsonv2.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// strict are the options a resource is read with (ParseResource): JSON in which an
// object gives a member twice is refused, as readers differ on which value
// counts (a Task that gave "id" twice was once read without its
// meta.versionId, and its next update went out without If-Match). Bytes
// that are not UTF-8 are tolerated, as lenient tolerates them.
var strict = jsontext.AllowInvalidUTF8(true)

// unmarshal decodes server JSON leniently.
func unmarshal(data []byte, v any) error {
	return jsonv2.Unmarshal(data, v, lenient)
}
