package server

import (
	"crypto/tls"
	"net/http"
	"time"
)

// Limits of the plain server NewHTTPServer returns. A slow client holds a
// connection only this long: it must send its headers within
// ReadHeaderTimeout and its whole request within ReadTimeout, and its
// headers may be MaxHeaderBytes at most (a proof is at most
// proof.MaxHeaderBytes, 16 KiB).
const (
	ServeReadHeaderTimeout = 10 * time.Second
	ServeReadTimeout       = 30 * time.Second
	ServeWriteTimeout      = 30 * time.Second
	ServeIdleTimeout       = 2 * time.Minute
	ServeMaxHeaderBytes    = 32 << 10
)

// NewHTTPServer returns the http.Server `sentinel serve` runs h with: the
// limits above, and TLS 1.2 at least.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ServeReadHeaderTimeout,
		ReadTimeout:       ServeReadTimeout,
		WriteTimeout:      ServeWriteTimeout,
		IdleTimeout:       ServeIdleTimeout,
		MaxHeaderBytes:    ServeMaxHeaderBytes,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
	}
}
