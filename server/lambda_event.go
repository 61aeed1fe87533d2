package server

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// lambdaEvent is a function URL event or an API Gateway HTTP API event
// in payload format 2.0. The two share one shape; the HTTP API one adds
// the stage and route, which a function URL sends as "$default".
type lambdaEvent struct {
	events.APIGatewayV2HTTPRequest
}

// maxMethodLen bounds the method name; real methods are a few letters.
const maxMethodLen = 32

// decodeLambdaEvent parses payload and checks that it is an HTTP request
// event at all.
func decodeLambdaEvent(payload []byte) (*lambdaEvent, error) {
	var ev lambdaEvent
	if err := json.Unmarshal(payload, &ev.APIGatewayV2HTTPRequest); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotHTTPEvent, err)
	}
	if ev.Version != "2.0" {
		return nil, fmt.Errorf("%w: version %q, want \"2.0\"", ErrNotHTTPEvent, ev.Version)
	}
	if ev.RequestContext.HTTP.Method == "" {
		return nil, fmt.Errorf("%w: no requestContext.http.method", ErrNotHTTPEvent)
	}
	return &ev, nil
}

// httpRequest builds the request h sees. The path is rawPath with a named
// stage's prefix removed, so that the handler (and the request hash a
// proof signs) sees the documented "/v1/..." whatever the gateway puts in
// front. Multi-value headers arrive comma-joined and stay one value: they
// are not split, because a comma may be part of a value.
func (ev *lambdaEvent) httpRequest(ctx context.Context, maxBody int) (*http.Request, *lambdaError) {
	method := ev.RequestContext.HTTP.Method
	if len(method) > maxMethodLen || !isToken(method) {
		return nil, lambdaBadRequest("invalid method")
	}
	requestURI, stagePrefix, err := ev.requestURI()
	if err != nil {
		return nil, err
	}
	u, perr := url.ParseRequestURI(requestURI)
	if perr != nil {
		return nil, lambdaBadRequest("invalid path or query")
	}
	header, err := ev.header()
	if err != nil {
		return nil, err
	}
	body, err := ev.body(maxBody)
	if err != nil {
		return nil, err
	}
	host := header.Get("Host")
	header.Del("Host")
	host = cmp.Or(host, ev.RequestContext.DomainName)
	if !validHeaderValue(host) {
		return nil, lambdaBadRequest("invalid host")
	}
	major, minor, ok := http.ParseHTTPVersion(ev.RequestContext.HTTP.Protocol)
	if !ok {
		major, minor = 1, 1
	}
	req := &http.Request{
		Method:        method,
		URL:           u,
		Proto:         fmt.Sprintf("HTTP/%d.%d", major, minor),
		ProtoMajor:    major,
		ProtoMinor:    minor,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Host:          host,
		RequestURI:    requestURI,
	}
	if len(body) == 0 {
		req.Body = http.NoBody
	}
	if ip := net.ParseIP(ev.RequestContext.HTTP.SourceIP); ip != nil {
		req.RemoteAddr = net.JoinHostPort(ip.String(), "0")
	}
	return req.WithContext(withEventAudience(ctx, ev.RequestContext.DomainName, stagePrefix)), nil
}

// requestURI is the path without the stage prefix, and the raw query,
// and the stage prefix it removed ("" when none).
func (ev *lambdaEvent) requestURI() (string, string, *lambdaError) {
	path := ev.RawPath
	if path == "" {
		// Older events carry only the decoded path.
		path = ev.RequestContext.HTTP.Path
	}
	if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?#") || !validURIPart(path) {
		return "", "", lambdaBadRequest("invalid path")
	}
	stagePrefix := ""
	if stage := ev.RequestContext.Stage; stage != "" && stage != "$default" {
		prefix := "/" + stage
		switch {
		case path == prefix:
			path, stagePrefix = "/", prefix
		case strings.HasPrefix(path, prefix+"/"):
			path, stagePrefix = path[len(prefix):], prefix
		}
	}
	if ev.RawQueryString == "" {
		return path, stagePrefix, nil
	}
	if strings.Contains(ev.RawQueryString, "#") || !validURIPart(ev.RawQueryString) {
		return "", "", lambdaBadRequest("invalid query")
	}
	return path + "?" + ev.RawQueryString, stagePrefix, nil
}

// header builds the request header from the event's headers (sorted, so
// that names differing only in case join in a fixed order) and cookies.
// Content-Length and Transfer-Encoding are the gateway's business: the
// body arrives whole, and its length is the request's ContentLength.
func (ev *lambdaEvent) header() (http.Header, *lambdaError) {
	h := make(http.Header, len(ev.Headers)+1)
	for _, name := range slices.Sorted(maps.Keys(ev.Headers)) {
		value := ev.Headers[name]
		if !isToken(name) || !validHeaderValue(value) {
			return nil, lambdaBadRequest("invalid header")
		}
		h.Add(name, value)
	}
	h.Del("Content-Length")
	h.Del("Transfer-Encoding")
	if len(ev.Cookies) > 0 {
		for _, c := range ev.Cookies {
			if !validHeaderValue(c) {
				return nil, lambdaBadRequest("invalid cookie")
			}
		}
		// The cookies array replaces any Cookie header: the gateway moves
		// them there.
		h.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	return h, nil
}

// body decodes the body (base64 when the event says so) and enforces max.
func (ev *lambdaEvent) body(max int) ([]byte, *lambdaError) {
	tooLarge := &lambdaError{status: http.StatusRequestEntityTooLarge, code: "BadRequest", message: fmt.Sprintf("request body larger than %d bytes", max)}
	if !ev.IsBase64Encoded {
		if len(ev.Body) > max {
			return nil, tooLarge
		}
		return []byte(ev.Body), nil
	}
	if base64.StdEncoding.DecodedLen(len(ev.Body)) > max+2 {
		return nil, tooLarge
	}
	body, err := base64.StdEncoding.DecodeString(ev.Body)
	if err != nil {
		return nil, lambdaBadRequest("invalid base64 body")
	}
	if len(body) > max {
		return nil, tooLarge
	}
	return body, nil
}

func lambdaBadRequest(message string) *lambdaError {
	return &lambdaError{status: http.StatusBadRequest, code: "BadRequest", message: message}
}

// isToken reports whether s is an HTTP token (RFC 9110 tchar+), the
// syntax of methods and header names.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHeaderValue refuses control characters (tab aside), which no
// gateway forwards and which could split a header.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// validURIPart refuses spaces and control characters in a raw path or
// query: they arrive percent-encoded.
func validURIPart(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}
