package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

// Limits of the loopback server. A credentials request is a bare GET with
// a few headers; anything bigger or slower is not an SDK.
const (
	maxHeaderBytes    = 8 << 10
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	// writeTimeout bounds a whole answer, the Source's decision included
	// (an STS call among them).
	writeTimeout = 60 * time.Second
	idleTimeout  = 60 * time.Second
)

// Loopback is an HTTP server on 127.0.0.1 serving one handler.
type Loopback struct {
	// URL is the base address, http://127.0.0.1:PORT, with no path.
	URL string
	srv *http.Server
	// done receives what Serve returned once it stops.
	done chan error
}

// ListenLoopback starts serving h on 127.0.0.1 on a port the kernel
// picks, and on that address only. Requests whose Host is not exactly that
// address are refused, so that a web page cannot reach the server through
// a rebound DNS name.
func ListenLoopback(h http.Handler) (*Loopback, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	addr := ln.Addr().String()
	l := &Loopback{
		URL: "http://" + addr,
		srv: &http.Server{
			Handler:           hostGuard(addr, h),
			MaxHeaderBytes:    maxHeaderBytes,
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
			// Errors of misbehaving clients are theirs; nothing of them
			// belongs on the person's terminal.
			ErrorLog: log.New(io.Discard, "", 0),
		},
		done: make(chan error, 1),
	}
	go func() { l.done <- l.srv.Serve(ln) }()
	return l, nil
}

// Close stops accepting requests and waits, until ctx ends, for those in
// flight to finish; then it closes what is left.
func (l *Loopback) Close(ctx context.Context) error {
	err := l.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, l.srv.Close())
	}
	if serveErr := <-l.done; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// hostGuard refuses requests addressed to another host than addr.
func hostGuard(addr string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != addr {
			writeError(w, http.StatusMisdirectedRequest, "MisdirectedRequest", "wrong host")
			return
		}
		h.ServeHTTP(w, r)
	})
}
