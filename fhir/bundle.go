package fhir

import (
	"bytes"
	"context"
	"errors"
	"net/http"
)

// readBundle reads a Bundle: its own members leniently (unmarshal), since
// one damaged entry must not cost the rest of its page, and each entry's
// resource as the JSON it is (a copy), for ParseResource to read strictly.
func readBundle(data []byte) (Bundle, error) {
	var b Bundle
	err := unmarshal(data, &b)
	return b, err
}

// bundleBodies are the buffers search pages and batch answers are read
// into, kept for the next answers: a sync reads ~66 MB of them per 10 000
// referrals, and reading each into a new, doubling buffer cost a whole sync
// 6-15 % more time. A sync.Pool kept them poorly (a sync collects garbage
// every ~50 ms, and a pool empties within two collections). None larger
// than maxKeptBody is kept.
var bundleBodies = make(chan *bytes.Buffer, 16)

const maxKeptBody = 8 << 20

// doBundle is do for an answer that is a Bundle, read (readBundle copies
// what it keeps) before its buffer goes back to bundleBodies.
func (c *Client) doBundle(ctx context.Context, op, method, target string, body []byte) (*http.Response, Bundle, error) {
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
		return resp, Bundle{}, err
	}
	b, err := readBundle(data)
	if err != nil || b.ResourceType != "Bundle" {
		return resp, Bundle{}, &Error{Op: op, Kind: KindBadResponse, Err: errors.New("the answer is not a FHIR Bundle")}
	}
	return resp, b, nil
}
