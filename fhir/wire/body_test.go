package wire

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// endless is a body that never ends: "aaaa…".
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// timedOut is what a read gives when the request's time ran out.
type timedOut struct{}

func (timedOut) Error() string {
	return "net/http: request canceled (Client.Timeout exceeded while reading body)"
}
func (timedOut) Timeout() bool   { return true }
func (timedOut) Temporary() bool { return true }

// dribble gives its data a few bytes at a time, then fails with err.
type dribble struct {
	data []byte
	err  error
}

func (d *dribble) Read(p []byte) (int, error) {
	if len(d.data) == 0 {
		return 0, d.err
	}
	n := copy(p[:min(len(p), 7)], d.data)
	d.data = d.data[n:]
	return n, nil
}

func TestReadBody(t *testing.T) {
	const limit = 1 << 20
	data := bytes.Repeat([]byte("0123456789"), limit/10)
	for _, c := range []struct {
		name string
		body io.Reader
		size int64
		want []byte // nil: refused
		err  error
	}{
		{"a known size", bytes.NewReader(data), int64(len(data)), data, nil},
		{"an unknown size", bytes.NewReader(data), -1, data, nil},
		{"in small reads", &dribble{data: data[:5000], err: io.EOF}, -1, data[:5000], nil},
		{"exactly the limit", bytes.NewReader(make([]byte, limit)), -1, make([]byte, limit), nil},
		{"empty", strings.NewReader(""), 0, []byte{}, nil},
		{"a size over the limit, refused before reading", endless{}, limit + 1, nil, ErrTooLarge},
		{"one byte over the limit", bytes.NewReader(make([]byte, limit+1)), -1, nil, ErrTooLarge},
		{"a stream that never ends", endless{}, -1, nil, ErrTooLarge},
		{"a body cut off", &dribble{data: data[:100], err: io.ErrUnexpectedEOF}, -1, nil, io.ErrUnexpectedEOF},
		{"a body still arriving when time ran out", &dribble{data: data[:100], err: timedOut{}}, -1, nil, ErrSlow},
		{"a body still arriving past the deadline", &dribble{data: data[:100], err: context.DeadlineExceeded}, -1, nil, ErrSlow},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			buf.WriteString("left over from the last answer")
			got, err := ReadBody(c.body, &buf, c.size, limit)
			if c.want == nil {
				if !errors.Is(err, c.err) || got != nil {
					t.Fatalf("read %d bytes, error %v; want %v", len(got), err, c.err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, c.want) {
				t.Fatalf("read %d bytes, error %v; want the %d bytes", len(got), err, len(c.want))
			}
			if !bytes.Equal(buf.Bytes(), c.want) {
				t.Errorf("the buffer holds %d bytes after, not the body's %d", buf.Len(), len(c.want))
			}
		})
	}
}

// An answer that fits in the buffer of an earlier one is read without
// allocating: search pages reuse their buffers.
func TestReadBodyReusesTheBuffer(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 200<<10)
	var buf bytes.Buffer
	if _, err := ReadBody(bytes.NewReader(data), &buf, -1, 1<<20); err != nil {
		t.Fatal(err)
	}
	r := bytes.NewReader(data)
	allocs := testing.AllocsPerRun(10, func() {
		r.Reset(data[:150<<10])
		if _, err := ReadBody(r, &buf, -1, 1<<20); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("reading an answer smaller than the last allocated %v times", allocs)
	}
}

// Refusing an endless answer allocates about the limit, not the doubling
// buffer's three times it.
func TestReadBodyRefusesWithoutDoubling(t *testing.T) {
	const limit = 32 << 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadBody(endless{}, new(bytes.Buffer), -1, limit)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("an endless answer: %v, want it refused", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > limit+limit/8 {
		t.Errorf("refusing an endless answer at %d MiB allocated %d MiB", limit>>20, got>>20)
	}
}

// A platform that sends its headers, then trickles the body past the
// client's time, is slow: not a damaged answer, not a missing one.
func TestATrickledBodyIsSlow(t *testing.T) {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte("{"))
		http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(stop) })
	hc := Policy{}.Client(&http.Client{Timeout: 100 * time.Millisecond})
	resp, err := hc.Get(srv.URL)
	if err != nil {
		t.Fatalf("the headers did not arrive: %v", err)
	}
	defer resp.Body.Close()
	if _, err := ReadBody(resp.Body, new(bytes.Buffer), resp.ContentLength, DefaultMaxBody); !errors.Is(err, ErrSlow) {
		t.Fatalf("a body trickled past the client's time: %v, want ErrSlow", err)
	}
}
