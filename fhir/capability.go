package fhir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
)

// CapabilityStatement is what Referral Desk reads of a server's
// CapabilityStatement: the names it gives itself.
type CapabilityStatement struct {
	Identity
	Title     string `json:"title"`
	Name      string `json:"name"`
	Publisher string `json:"publisher"`
	Software  struct {
		Name string `json:"name"`
	} `json:"software"`
	Implementation struct {
		Description string `json:"description"`
	} `json:"implementation"`
	Rest []struct {
		Resource []struct {
			Type              string `json:"type"`
			ConditionalCreate bool   `json:"conditionalCreate"`
			Interaction       []struct {
				Code string `json:"code"`
			} `json:"interaction"`
		} `json:"resource"`
	} `json:"rest"`
}

// Allows reports whether the server lists interaction ("create", "update",
// "vread"…) for resources of type typ; conditional, whether it supports
// conditional create for them.
func (cs CapabilityStatement) Allows(typ, interaction string) (allowed, conditional bool) {
	for _, rest := range cs.Rest {
		for _, r := range rest.Resource {
			if r.Type != typ {
				continue
			}
			for _, i := range r.Interaction {
				if i.Code == interaction {
					return true, r.ConditionalCreate
				}
			}
		}
	}
	return false, false
}

// Names are the names the server gives itself, the most particular first:
// this instance's description, the statement's title, name and publisher,
// the software's name. Any may be empty.
func (cs CapabilityStatement) Names() []string {
	return []string{cs.Implementation.Description, cs.Title, cs.Name, cs.Publisher, cs.Software.Name}
}

// maxCapabilityStatement bounds what is read of {base}/metadata: real ones
// run to a few MB.
const maxCapabilityStatement = 8 << 20

// Capabilities reads the server's CapabilityStatement ({base}/metadata).
func (c *Client) Capabilities(ctx context.Context) (CapabilityStatement, error) {
	const op = "read metadata"
	_, data, err := c.send(ctx, op, http.MethodGet, c.url("metadata", nil), nil, nil, new(bytes.Buffer),
		min(c.MaxBody, maxCapabilityStatement))
	if err != nil {
		return CapabilityStatement{}, err
	}
	r, err := resourceFrom(op, data)
	if err != nil {
		return CapabilityStatement{}, err
	}
	if r.Type != "CapabilityStatement" {
		return CapabilityStatement{}, &Error{Op: op, Kind: KindBadResponse, Err: fmt.Errorf("server answered with a %s", r.Type)}
	}
	cs, ok := As[CapabilityStatement](r)
	if !ok {
		return CapabilityStatement{}, &Error{Op: op, Kind: KindBadResponse, Err: errors.New("the CapabilityStatement could not be read")}
	}
	return cs, nil
}
