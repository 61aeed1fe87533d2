package loopback

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
)

// The server answers, and only on 127.0.0.1.
func TestServeListensOnLoopback(t *testing.T) {
	ts := Serve("test", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	defer ts.Close()
	u, err := url.Parse(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	if host, _, _ := net.SplitHostPort(u.Host); host != "127.0.0.1" {
		t.Fatalf("listening on %s, want 127.0.0.1", host)
	}
	resp, err := http.Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != "ok" {
		t.Fatalf("answer %q, want ok", b)
	}
}
