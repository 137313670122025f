package fhir

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// bundleRead is a Bundle as Referral Desk reads an answer: its entries'
// resources parsed.
type bundleRead struct {
	ResourceType string       `json:"resourceType"`
	Meta         *Meta        `json:"meta"`
	Total        *int         `json:"total"`
	Link         []BundleLink `json:"link"`
	Entry        []entryRead  `json:"entry"`
}

// LinkURL returns the URL of the link with the given relation, or "".
func (b bundleRead) LinkURL(relation string) string {
	return Bundle{Link: b.Link}.LinkURL(relation)
}

// entryRead is a Bundle entry as read.
type entryRead struct {
	Resource parsed         `json:"resource"`
	Search   *EntrySearch   `json:"search"`
	Response *EntryResponse `json:"response"`
}

// parsed is an entry's resource as ParseResource reads it.
type parsed struct {
	Resource
	given bool  // the entry has a resource
	err   error // why it could not be read
}

// readBundle reads a Bundle and its entries' resources, as ParseResource
// reads them, in one pass over data, which the resources keep (Raw). A
// pass that meets a resource it cannot read in passing (a member given
// twice, a view member of an unexpected shape: json v2 stops there) gives
// way to a second one, which reads the Bundle leniently and each resource
// on its own, so that only the damaged resources are refused. One pass
// instead of two saved a 10 000-referral sync ~12 % of its CPU time.
func readBundle(data []byte) (bundleRead, error) {
	var b bundleRead
	inPassing := jsonv2.WithUnmarshalers(jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, p *parsed) error {
		return p.readFrom(dec, data)
	}))
	if jsonv2.Unmarshal(data, &b, strict, inPassing) == nil {
		return b, nil
	}
	return readBundleApart(data)
}

// readBundleApart is readBundle's second pass: the Bundle read leniently,
// then each resource on its own.
func readBundleApart(data []byte) (bundleRead, error) {
	var whole Bundle
	if err := unmarshal(data, &whole); err != nil {
		return bundleRead{}, err
	}
	b := bundleRead{ResourceType: whole.ResourceType, Meta: whole.Meta, Total: whole.Total, Link: whole.Link, Entry: make([]entryRead, len(whole.Entry))}
	for i, e := range whole.Entry {
		b.Entry[i] = entryRead{Search: e.Search, Response: e.Response}
		if len(e.Resource) > 0 && string(e.Resource) != "null" {
			r, err := ParseResource(e.Resource)
			b.Entry[i].Resource = parsed{Resource: r, given: true, err: err}
		}
	}
	return b, nil
}

// readFrom reads the resource at dec's position in data, as ParseResource
// would, without a second pass.
func (p *parsed) readFrom(dec *jsontext.Decoder, data []byte) error {
	if dec.PeekKind() == 'n' {
		_, err := dec.ReadToken()
		return err
	}
	start := int(dec.InputOffset())
	start = len(data) - len(bytes.TrimLeft(data[start:], " \t\r\n:"))
	view, id := viewFor(peekType(data[start:]))
	if err := jsonv2.UnmarshalDecode(dec, view); err != nil {
		return err
	}
	r, err := resourceOf(data[start:dec.InputOffset()], view, id)
	p.Resource, p.given, p.err = r, true, err
	return nil
}

// bundleBodies are the buffers search pages and batch answers are read
// into, kept for the next answers: a sync reads ~66 MB of them per 10 000
// referrals, and reading each into a new, doubling buffer cost a whole sync
// 6-15 % more time. A sync.Pool kept them poorly (a sync collects garbage
// every ~50 ms, and a pool empties within two collections). None larger
// than maxKeptBody is kept.
var bundleBodies = make(chan *bytes.Buffer, 16)

const maxKeptBody = 8 << 20

// doBundle is do for an answer that is a Bundle, read from a copy of its
// own size before its buffer goes back to bundleBodies.
func (c *Client) doBundle(ctx context.Context, op, method, target string, body []byte) (*http.Response, bundleRead, error) {
	var buf *bytes.Buffer
	select {
	case buf = <-bundleBodies:
	default:
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= maxKeptBody {
			select {
			case bundleBodies <- buf:
			default:
			}
		}
	}()
	resp, data, err := c.send(ctx, op, method, target, body, nil, buf, c.MaxBody)
	if err != nil {
		return resp, bundleRead{}, err
	}
	b, err := readBundle(bytes.Clone(data))
	if err != nil || b.ResourceType != "Bundle" {
		return resp, bundleRead{}, &Error{Op: op, Kind: KindBadResponse, Err: errors.New("the answer is not a FHIR Bundle")}
	}
	return resp, b, nil
}
