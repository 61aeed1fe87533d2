package server

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// lambdaResponse is the response event of a function URL and of an HTTP
// API in payload format 2.0 (the same shape for both). Multi-value
// headers are comma-joined; Set-Cookie values go to cookies, because a
// cookie's Expires contains a comma.
type lambdaResponse struct {
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers,omitempty"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
	Cookies         []string          `json:"cookies,omitempty"`
}

// errLambdaResponseTooLarge is what Write returns past the limit.
var errLambdaResponseTooLarge = errors.New("response too large for Lambda")

// lambdaResponseWriter buffers what the handler writes, up to max bytes of
// body: a Lambda response is one JSON document, not a stream.
type lambdaResponseWriter struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
	max         int
	overflow    bool // the handler wrote more than max
	failed      bool // the handler panicked
}

func newLambdaResponseWriter(max int) *lambdaResponseWriter {
	return &lambdaResponseWriter{header: make(http.Header), max: max}
}

// Header returns the response header, as http.ResponseWriter does.
func (w *lambdaResponseWriter) Header() http.Header { return w.header }

// WriteHeader records the status once. Informational codes are dropped
// (a buffered response has no interim answers); a code net/http would
// refuse panics as it does there, and the panic becomes a 500.
func (w *lambdaResponseWriter) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if w.wroteHeader || code < 200 {
		return
	}
	w.status, w.wroteHeader = code, true
}

// Write appends to the body; past max it keeps nothing more and fails.
func (w *lambdaResponseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.overflow || w.body.Len()+len(p) > w.max {
		w.overflow = true
		return 0, errLambdaResponseTooLarge
	}
	return w.body.Write(p)
}

// reset forgets everything written (after a panic).
func (w *lambdaResponseWriter) reset() {
	w.header = make(http.Header)
	w.status, w.wroteHeader = 0, false
	w.body.Reset()
}

// result is the response event for what was written.
func (w *lambdaResponseWriter) result(head bool) lambdaResponse {
	switch {
	case w.failed:
		return errorResponse(http.StatusInternalServerError, "Internal", "internal error")
	case w.overflow:
		return errorResponse(http.StatusInternalServerError, "Internal", errLambdaResponseTooLarge.Error())
	}
	status := cmp.Or(w.status, http.StatusOK)
	body := w.body.Bytes()
	if head {
		body = nil
	}
	resp := lambdaResponse{StatusCode: status, Headers: make(map[string]string, len(w.header))}
	for name, values := range w.header {
		switch name = strings.ToLower(name); name {
		case "set-cookie":
			resp.Cookies = append(resp.Cookies, values...)
		case "content-length", "transfer-encoding", "connection":
			// Lambda frames the body and owns the connection itself.
		default:
			if len(values) > 0 {
				resp.Headers[name] = strings.Join(values, ",")
			}
		}
	}
	if _, ok := resp.Headers["content-type"]; !ok && len(w.body.Bytes()) > 0 {
		resp.Headers["content-type"] = http.DetectContentType(w.body.Bytes())
	}
	if utf8.Valid(body) {
		resp.Body = string(body)
	} else {
		resp.Body = base64.StdEncoding.EncodeToString(body)
		resp.IsBase64Encoded = true
	}
	return resp
}

// encodeLambdaResponse marshals resp; one larger than max is replaced by
// a 500, which Lambda would return anyway, less clearly.
func encodeLambdaResponse(resp lambdaResponse, max int) ([]byte, error) {
	out, err := json.Marshal(resp)
	if err != nil {
		return nil, fmt.Errorf("encode lambda response: %w", err)
	}
	if len(out) <= max {
		return out, nil
	}
	return json.Marshal(errorResponse(http.StatusInternalServerError, "Internal", errLambdaResponseTooLarge.Error()))
}
