package apptest

import (
	"context"
	"net"
	"net/http"
)

// NoSuchHost is an HTTP client for which no server name exists: every
// connection fails as the system's resolver fails for a mistyped name
// (a *net.DNSError that IsNotFound), without asking a real resolver.
func NoSuchHost() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(_ context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			return nil, &net.OpError{Op: "dial", Net: network,
				Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
		},
	}}
}
