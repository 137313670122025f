package fhir

import (
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// lenient are the decode options for what servers send: duplicate member
// names and invalid UTF-8 are tolerated as encoding/json (v1) tolerates them,
// since a receiver must not fail on data it can still read.
var lenient = jsonv2.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// unmarshal decodes server JSON with the json v2 decoder, which reads FHIR
// Bundles and resources about twice as fast as encoding/json; a sync reads
// tens of thousands of them.
func unmarshal(data []byte, v any) error {
	return jsonv2.Unmarshal(data, v, lenient)
}
