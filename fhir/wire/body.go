package wire

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
)

// ErrSlow matches (errors.Is) an answer whose body had not all arrived
// when the request's time ran out: the platform sent its headers, then
// trickled the rest. Without it, the cut-off body would read as a damaged
// answer, which it is not.
var ErrSlow = errors.New("the answer arrived too slowly")

// Chunk sizes ReadBody reads a body of unknown size in, past what buf holds.
const (
	minChunk = 64 << 10
	maxChunk = 8 << 20
)

// ReadBody reads body into buf (emptied first), at most limit bytes, and
// returns what it read, which buf keeps for the next body. size is the
// body's Content-Length, -1 when unknown.
//
// Memory stays near what arrives, never past the limit: a known size is
// read into one buffer of that size (one over the limit is refused before
// reading); an unknown one, past what buf holds, into chunks joined once at
// the end. Reading it into a buffer that doubles as it fills made refusing
// a 1 GB answer at a 64 MiB limit hold 192 MiB at once (a full 64 MiB
// buffer, and the 128 MiB one it was being copied into).
func ReadBody(body io.Reader, buf *bytes.Buffer, size, limit int64) ([]byte, error) {
	if size > limit {
		return nil, tooLarge(limit)
	}
	data, n, err := readBody(body, buf, size, limit)
	if n > maxChunk && errors.Is(err, ErrTooLarge) {
		// The chunks of a refused body are given back at once. As garbage
		// they would wait for the next collection, due only at twice the
		// heap live at the last one, which the refusal itself raised: ten
		// 1 GB answers refused in a row took the process to 157 MB (94 MB
		// given back), and a platform that keeps sending one is retried
		// every few minutes.
		debug.FreeOSMemory()
	}
	return data, err
}

// readBody is ReadBody's reading, which also says how much it read.
func readBody(body io.Reader, buf *bytes.Buffer, size, limit int64) ([]byte, int64, error) {
	buf.Reset()
	cur := buf.AvailableBuffer()
	if size >= 0 && int64(cap(cur)) <= size {
		cur = make([]byte, 0, size+1) // one byte more to meet the end without another chunk
	}
	var full [][]byte // the chunks filled before cur
	n := int64(0)     // bytes read
	for {
		if len(cur) == cap(cur) {
			next := min(max(int64(cap(cur)), minChunk), maxChunk, limit+1-n)
			if len(cur) > 0 {
				full = append(full, cur)
			}
			cur = make([]byte, 0, next)
		}
		m, err := body.Read(cur[len(cur):cap(cur)])
		cur, n = cur[:len(cur)+m], n+int64(m)
		if n > limit {
			return nil, n, tooLarge(limit)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, n, bodyError(err)
		}
	}
	if len(full) > 0 {
		joined := make([]byte, 0, n)
		for _, c := range full {
			joined = append(joined, c...)
		}
		cur = append(joined, cur...)
	}
	*buf = *bytes.NewBuffer(cur)
	return cur, n, nil
}

// bodyError names a body that stopped arriving because the request's time
// ran out: ErrSlow.
func bodyError(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w: %w", ErrSlow, err)
	}
	return err
}
