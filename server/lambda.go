package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
)

// Default limits of LambdaOptions. AWS caps a synchronous invocation at
// 6 MB each way (event and response, JSON included); the team API's
// requests are small JSON documents, so the request body limit is far
// lower, and the response limit leaves room for base64 and headers.
const (
	// DefaultLambdaMaxEventBytes bounds the raw event (Lambda's own cap).
	DefaultLambdaMaxEventBytes = 6 << 20
	// DefaultLambdaMaxRequestBody bounds the decoded request body.
	DefaultLambdaMaxRequestBody = 1 << 20
	// DefaultLambdaMaxResponseBytes bounds the encoded response event.
	DefaultLambdaMaxResponseBytes = 6 << 20
)

// LambdaOptions configures LambdaHandler. The zero value picks the
// defaults above and logs handler panics with the standard logger.
type LambdaOptions struct {
	// MaxEventBytes refuses a larger event before decoding it.
	MaxEventBytes int
	// MaxRequestBody refuses a larger (decoded) request body with 413.
	MaxRequestBody int
	// MaxResponseBytes replaces a response whose encoded event would be
	// larger with a 500: Lambda would refuse it anyway, with a less
	// useful error.
	MaxResponseBytes int
	// ErrorLog receives one line per handler panic (method, path and the
	// panic value, as net/http logs them). Nil means log.Default().
	ErrorLog *log.Logger
}

// Errors Invoke returns for events that are not HTTP requests at all; the
// invocation then fails (a function URL answers 502). Problems within a
// well-formed HTTP event (a bad path, an oversized body) are answered
// with an HTTP error instead, as a server would.
var (
	// ErrLambdaEventTooLarge is an event over MaxEventBytes.
	ErrLambdaEventTooLarge = errors.New("lambda event too large")
	// ErrNotHTTPEvent is an event that is not a function URL or API
	// Gateway HTTP API (payload format 2.0) request.
	ErrNotHTTPEvent = errors.New("lambda event is not a function URL or HTTP API 2.0 request")
)

// Lambda adapts an http.Handler to the Lambda runtime: pass it to
// lambda.Start (it implements lambda.Handler). It is safe for concurrent
// use.
type Lambda struct {
	h    http.Handler
	opts LambdaOptions
}

// LambdaHandler returns h served behind a Lambda function URL or an API
// Gateway HTTP API (payload format 2.0): each event becomes one
// *http.Request (method, raw path and query without a named stage's
// prefix, headers, cookies, body), and what h writes becomes the
// response event.
func LambdaHandler(h http.Handler, o LambdaOptions) *Lambda {
	if o.MaxEventBytes <= 0 {
		o.MaxEventBytes = DefaultLambdaMaxEventBytes
	}
	if o.MaxRequestBody <= 0 {
		o.MaxRequestBody = DefaultLambdaMaxRequestBody
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultLambdaMaxResponseBytes
	}
	if o.ErrorLog == nil {
		o.ErrorLog = log.Default()
	}
	return &Lambda{h: h, opts: o}
}

// Invoke serves one event. It returns an error only for an event that is
// not an HTTP request (ErrLambdaEventTooLarge, ErrNotHTTPEvent); every
// HTTP request gets an HTTP response.
func (l *Lambda) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if len(payload) > l.opts.MaxEventBytes {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrLambdaEventTooLarge, len(payload), l.opts.MaxEventBytes)
	}
	ev, err := decodeLambdaEvent(payload)
	if err != nil {
		return nil, err
	}
	req, herr := ev.httpRequest(ctx, l.opts.MaxRequestBody)
	if herr != nil {
		return encodeLambdaResponse(errorResponse(herr.status, herr.code, herr.message), l.opts.MaxResponseBytes)
	}
	w := newLambdaResponseWriter(l.opts.MaxResponseBytes)
	l.serve(w, req)
	return encodeLambdaResponse(w.result(req.Method == http.MethodHead), l.opts.MaxResponseBytes)
}

// serve runs the handler, turning a panic into a 500 as net/http would
// (which instead drops the connection), so that one bad request does not
// fail the invocation and count as a function error.
func (l *Lambda) serve(w *lambdaResponseWriter, req *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				l.opts.ErrorLog.Printf("sentinel: lambda: panic serving %s %s: %v", req.Method, req.URL.EscapedPath(), v)
			}
			w.reset()
			w.failed = true
		}
	}()
	l.h.ServeHTTP(w, req)
}

// lambdaError is a refusal of a request before it reaches the handler.
type lambdaError struct {
	status  int
	code    string
	message string
}

// errorResponse is the team API's error document {"code","message"}.
func errorResponse(status int, code, message string) lambdaResponse {
	body, _ := json.Marshal(struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}{code, message})
	return lambdaResponse{
		StatusCode: status,
		Headers:    map[string]string{"content-type": "application/json", "cache-control": "no-store"},
		Body:       string(body),
	}
}
