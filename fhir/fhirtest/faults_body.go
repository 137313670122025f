package fhirtest

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
)

// answerShape is as much of an answer as the faults look at.
type answerShape struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Type         string `json:"type"`
	Entry        []struct {
		Resource json.RawMessage `json:"resource"`
		Search   *struct {
			Mode string `json:"mode"`
		} `json:"search"`
	} `json:"entry"`
}

func shapeOf(body []byte) (answerShape, bool) {
	var a answerShape
	return a, json.Unmarshal(body, &a) == nil && a.ResourceType != ""
}

// isSearchPage: a searchset Bundle.
func isSearchPage(body []byte) bool {
	a, ok := shapeOf(body)
	return ok && a.ResourceType == "Bundle" && a.Type == "searchset"
}

// damage makes resources of an answer unreadable (MalformedRate) or gives
// them their id twice (DuplicateKeyRate): each entry of a Bundle, or the
// answer itself when it is one resource. Everything else stays byte for byte.
func (s *Server) damage(r *http.Request, f Faults, rng *rand.Rand, body []byte) []byte {
	a, ok := shapeOf(body)
	if !ok || a.ResourceType == "OperationOutcome" {
		return body
	}
	raws := []json.RawMessage{body}
	if a.ResourceType == "Bundle" {
		raws = raws[:0]
		for _, e := range a.Entry {
			if len(e.Resource) > 0 && string(e.Resource) != "null" {
				raws = append(raws, e.Resource)
			}
		}
	}
	var out bytes.Buffer
	at := 0 // what of body is in out already
	for _, raw := range raws {
		malformed, duplicate := rng.Float64() < f.MalformedRate, rng.Float64() < f.DuplicateKeyRate
		if !malformed && !duplicate {
			continue
		}
		i := bytes.Index(body[at:], raw)
		if i < 0 {
			continue
		}
		var id answerShape
		json.Unmarshal(raw, &id)
		in := Injection{Fault: FaultDuplicateKey, Ref: id.ResourceType + "/" + id.ID}
		bad := duplicateID(raw, id.ID)
		if malformed {
			in.Fault, bad = FaultMalformed, unreadableMeta(raw)
		}
		out.Write(body[at : at+i])
		out.Write(bad)
		at += i + len(raw)
		s.record(r, in)
	}
	if at == 0 {
		return body
	}
	out.Write(body[at:])
	return out.Bytes()
}

// unreadableMeta is raw with meta a string: no reader can take its version
// or even its identity from it.
func unreadableMeta(raw []byte) []byte {
	doc, err := decodeObject(raw)
	if err != nil {
		return raw
	}
	doc["meta"] = "damaged by the platform (injected)"
	return encodeResource(doc)
}

// duplicateID is raw with a false id given first: a reader that keeps the
// first of two members reads another resource than one that keeps the last.
func duplicateID(raw []byte, id string) []byte {
	i := bytes.IndexByte(raw, '{')
	if i < 0 {
		return raw
	}
	return bytes.Join([][]byte{raw[:i+1], []byte(`"id":`), marshal(id + "-shadow"), []byte(","), raw[i+1:]}, nil)
}

// editDuringSync has the requester edit one Task of a Task search page just
// sent, as a real requester may while a client reads the pages.
func (s *Server) editDuringSync(r *http.Request, rng *rand.Rand, body []byte) {
	a, ok := shapeOf(body)
	if !ok || a.ResourceType != "Bundle" || a.Type != "searchset" {
		return
	}
	var tasks []string
	for _, e := range a.Entry {
		var res answerShape
		if json.Unmarshal(e.Resource, &res) == nil && res.ResourceType == "Task" && (e.Search == nil || e.Search.Mode != "include") {
			tasks = append(tasks, res.ID)
		}
	}
	if len(tasks) == 0 {
		return
	}
	id := tasks[rng.IntN(len(tasks))]
	if s.EditTaskAsRequester(id, EditNote) == nil {
		s.record(r, Injection{Fault: FaultRequesterEdit, Ref: "Task/" + id})
	}
}
