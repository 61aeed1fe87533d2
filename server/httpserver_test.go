package server

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// The server `sentinel serve` runs drops a client that sends its headers
// or its body too slowly, and bounds the headers.
func TestHTTPServerLimits(t *testing.T) {
	srv := NewHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 ||
		srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 64<<10 || srv.ReadHeaderTimeout > srv.ReadTimeout {
		t.Fatalf("limits %v %v %v %v %d", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes)
	}
	// The same server with the timeouts shortened, so that the test does
	// not wait 10 s: a client that stops halfway is disconnected.
	srv.ReadHeaderTimeout, srv.ReadTimeout = 200*time.Millisecond, 400*time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	for name, partial := range map[string]string{
		"headers": "POST /v1/credentials HTTP/1.1\r\nHost: x\r\nX-Sentinel-Pro",
		"body":    "POST /v1/credentials HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"pro",
	} {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(conn, partial); err != nil {
			t.Fatal(err)
		}
		// The server closes the connection (after at most an error
		// answer); the read ends well before the 5 s deadline.
		_, err = io.ReadAll(conn)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Errorf("%s: a slow client was not disconnected", name)
		}
		conn.Close()
	}
	// Headers over the bound are refused.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	big := make([]byte, ServeMaxHeaderBytes+8192)
	for i := range big {
		big[i] = 'a'
	}
	_, _ = io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: "+string(big)+"\r\n\r\n")
	reply, _ := io.ReadAll(conn)
	if len(reply) < 12 || string(reply[9:12]) != "431" {
		t.Errorf("oversized headers: %q", reply)
	}
}
