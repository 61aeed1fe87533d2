package loopback

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
)

// Serve starts h on a random port of 127.0.0.1 and returns the running
// server. It replaces httptest's own listener so that the address is
// 127.0.0.1 whatever the -httptest.serve flag says. Like
// httptest.NewServer it panics when it cannot listen on loopback, which
// only happens on a broken machine; name (the stand-in's) starts the
// message.
func Serve(name string, h http.Handler) *httptest.Server {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("%s: listen on 127.0.0.1:0: %v", name, err))
	}
	ts := httptest.NewUnstartedServer(h)
	ts.Listener.Close()
	ts.Listener = l
	ts.Start()
	return ts
}
