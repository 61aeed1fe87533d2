package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"strings"
	"testing"
)

// seen is what echoHandler reports about the request it got.
type seen struct {
	Method        string              `json:"method"`
	Path          string              `json:"path"`
	RawQuery      string              `json:"raw_query"`
	RequestURI    string              `json:"request_uri"`
	Host          string              `json:"host"`
	RemoteAddr    string              `json:"remote_addr"`
	ContentLength int64               `json:"content_length"`
	Body          []byte              `json:"body"`
	Header        map[string][]string `json:"header"`
}

// echoHandler answers 200 with a JSON description of the request.
var echoHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(seen{
		Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, RequestURI: r.RequestURI,
		Host: r.Host, RemoteAddr: r.RemoteAddr, ContentLength: r.ContentLength, Body: body, Header: r.Header,
	})
})

// urlEvent is a function URL event as Lambda sends it.
func urlEvent(method, rawPath, rawQuery string, headers map[string]string, body string, b64 bool) map[string]any {
	if headers == nil {
		headers = map[string]string{}
	}
	if _, ok := headers["host"]; !ok {
		headers["host"] = "abcdef.lambda-url.eu-west-1.on.aws"
	}
	return map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": rawPath, "rawQueryString": rawQuery,
		"headers": headers, "body": body, "isBase64Encoded": b64,
		"requestContext": map[string]any{
			"accountId": "anonymous", "apiId": "abcdef", "domainName": "abcdef.lambda-url.eu-west-1.on.aws",
			"domainPrefix": "abcdef", "requestId": "r-1", "routeKey": "$default", "stage": "$default",
			"time": "29/Nov/2026:12:00:00 +0000", "timeEpoch": 1795953600000,
			"http": map[string]any{"method": method, "path": rawPath, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.7", "userAgent": "test"},
		},
	}
}

// apiEvent is an API Gateway HTTP API (payload 2.0) event on stage.
func apiEvent(stage, method, rawPath, rawQuery, body string) map[string]any {
	ev := urlEvent(method, rawPath, rawQuery, map[string]string{"host": "api.example.com"}, body, false)
	ev["routeKey"] = "ANY /{proxy+}"
	rc := ev["requestContext"].(map[string]any)
	rc["stage"], rc["routeKey"], rc["domainName"] = stage, "ANY /{proxy+}", "api.example.com"
	return ev
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// invoke runs payload through LambdaHandler(h) and decodes the response.
func invoke(t *testing.T, h http.Handler, o LambdaOptions, payload []byte) lambdaResponse {
	t.Helper()
	out, err := LambdaHandler(h, o).Invoke(context.Background(), payload)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	var resp lambdaResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	return resp
}

func TestLambdaRequests(t *testing.T) {
	tests := []struct {
		name  string
		event map[string]any
		check func(t *testing.T, s seen)
	}{
		{"function URL GET /healthz", urlEvent("GET", "/healthz", "", nil, "", false), func(t *testing.T, s seen) {
			want := seen{Method: "GET", Path: "/healthz", RequestURI: "/healthz", Host: "abcdef.lambda-url.eu-west-1.on.aws", RemoteAddr: "192.0.2.7:0"}
			if s.Method != want.Method || s.Path != want.Path || s.RequestURI != want.RequestURI || s.Host != want.Host || s.RemoteAddr != want.RemoteAddr || len(s.Body) != 0 || s.ContentLength != 0 {
				t.Errorf("saw %+v, want %+v", s, want)
			}
		}},
		{"POST with a plain body", urlEvent("POST", "/v1/credentials", "", map[string]string{"content-type": "application/json", "content-length": "999"}, `{"profile":"prod"}`, false), func(t *testing.T, s seen) {
			if string(s.Body) != `{"profile":"prod"}` || s.ContentLength != 18 || s.Header["Content-Type"][0] != "application/json" || s.Header["Content-Length"] != nil {
				t.Errorf("saw %+v", s)
			}
		}},
		{"POST with a base64 body", urlEvent("POST", "/v1/requests", "", nil, base64.StdEncoding.EncodeToString([]byte("{\"justification\":\"\xff\"}")), true), func(t *testing.T, s seen) {
			if string(s.Body) != "{\"justification\":\"\xff\"}" || s.ContentLength != 21 {
				t.Errorf("saw body %q length %d", s.Body, s.ContentLength)
			}
		}},
		{"raw query kept as sent", urlEvent("GET", "/v1/requests", "status=pending&profile=a%20b&status=x", nil, "", false), func(t *testing.T, s seen) {
			if s.RawQuery != "status=pending&profile=a%20b&status=x" || s.RequestURI != "/v1/requests?status=pending&profile=a%20b&status=x" {
				t.Errorf("saw %+v", s)
			}
		}},
		{"escaped path kept raw", urlEvent("GET", "/v1/requests/a%2Fb", "", nil, "", false), func(t *testing.T, s seen) {
			if s.Path != "/v1/requests/a%2Fb" {
				t.Errorf("path %q", s.Path)
			}
		}},
		{"comma-joined header stays one value", urlEvent("GET", "/v1/whoami", "", map[string]string{"x-sentinel-proof": "a,b", "accept": "application/json"}, "", false), func(t *testing.T, s seen) {
			if got := s.Header["X-Sentinel-Proof"]; len(got) != 1 || got[0] != "a,b" {
				t.Errorf("proof header %q", got)
			}
		}},
		{"named stage stripped", apiEvent("prod", "GET", "/prod/v1/info", "", ""), func(t *testing.T, s seen) {
			if s.Path != "/v1/info" || s.RequestURI != "/v1/info" || s.Host != "api.example.com" {
				t.Errorf("saw %+v", s)
			}
		}},
		{"named stage alone is the root", apiEvent("prod", "GET", "/prod", "a=1", ""), func(t *testing.T, s seen) {
			if s.Path != "/" || s.RequestURI != "/?a=1" {
				t.Errorf("saw %+v", s)
			}
		}},
		{"stage only as a whole segment", apiEvent("prod", "GET", "/production/v1/info", "", ""), func(t *testing.T, s seen) {
			if s.Path != "/production/v1/info" {
				t.Errorf("path %q", s.Path)
			}
		}},
		{"$default stage untouched", apiEvent("$default", "GET", "/v1/info", "", ""), func(t *testing.T, s seen) {
			if s.Path != "/v1/info" {
				t.Errorf("path %q", s.Path)
			}
		}},
		{"path without the stage (custom domain) untouched", apiEvent("prod", "GET", "/v1/info", "", ""), func(t *testing.T, s seen) {
			if s.Path != "/v1/info" {
				t.Errorf("path %q", s.Path)
			}
		}},
		{"cookies joined into one header", func() map[string]any {
			ev := urlEvent("GET", "/healthz", "", map[string]string{"cookie": "ignored=1"}, "", false)
			ev["cookies"] = []string{"a=1", "b=2"}
			return ev
		}(), func(t *testing.T, s seen) {
			if got := s.Header["Cookie"]; len(got) != 1 || got[0] != "a=1; b=2" {
				t.Errorf("cookie %q", got)
			}
		}},
		{"host from the domain name when no header", func() map[string]any {
			ev := urlEvent("GET", "/healthz", "", nil, "", false)
			delete(ev["headers"].(map[string]string), "host")
			return ev
		}(), func(t *testing.T, s seen) {
			if s.Host != "abcdef.lambda-url.eu-west-1.on.aws" || s.Header["Host"] != nil {
				t.Errorf("saw %+v", s)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := invoke(t, echoHandler, LambdaOptions{}, mustJSON(t, tt.event))
			if resp.StatusCode != http.StatusOK || resp.IsBase64Encoded {
				t.Fatalf("response %+v", resp)
			}
			var s seen
			if err := json.Unmarshal([]byte(resp.Body), &s); err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
}

// TestLambdaRefusedRequests: requests a server would refuse get an HTTP
// error in the team API's shape, and never reach the handler.
func TestLambdaRefusedRequests(t *testing.T) {
	big := strings.Repeat("x", 101)
	tests := []struct {
		name   string
		event  map[string]any
		status int
	}{
		{"body over the limit", urlEvent("POST", "/v1/requests", "", nil, big, false), http.StatusRequestEntityTooLarge},
		{"base64 body over the limit", urlEvent("POST", "/v1/requests", "", nil, base64.StdEncoding.EncodeToString([]byte(big)), true), http.StatusRequestEntityTooLarge},
		{"invalid base64", urlEvent("POST", "/v1/requests", "", nil, "not base64!", true), http.StatusBadRequest},
		{"path without a slash", urlEvent("GET", "v1/info", "", nil, "", false), http.StatusBadRequest},
		{"path with a space", urlEvent("GET", "/v1/in fo", "", nil, "", false), http.StatusBadRequest},
		{"path with a question mark", urlEvent("GET", "/v1/info?x=1", "", nil, "", false), http.StatusBadRequest},
		{"path with a bad escape", urlEvent("GET", "/v1/%zz", "", nil, "", false), http.StatusBadRequest},
		{"query with a newline", urlEvent("GET", "/v1/requests", "a=1\nb", nil, "", false), http.StatusBadRequest},
		{"method with a space", urlEvent("GE T", "/healthz", "", nil, "", false), http.StatusBadRequest},
		{"header value with CRLF", urlEvent("GET", "/healthz", "", map[string]string{"x-a": "1\r\nx-b: 2"}, "", false), http.StatusBadRequest},
		{"header name with a colon", urlEvent("GET", "/healthz", "", map[string]string{"x:a": "1"}, "", false), http.StatusBadRequest},
		{"cookie with a newline", func() map[string]any {
			ev := urlEvent("GET", "/healthz", "", nil, "", false)
			ev["cookies"] = []string{"a=1\nb"}
			return ev
		}(), http.StatusBadRequest},
	}
	reached := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("handler reached with %s %s", r.Method, r.RequestURI)
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := invoke(t, reached, LambdaOptions{MaxRequestBody: 100}, mustJSON(t, tt.event))
			if resp.StatusCode != tt.status || resp.Headers["content-type"] != "application/json" {
				t.Fatalf("response %+v, want status %d", resp, tt.status)
			}
			var e struct{ Code, Message string }
			if err := json.Unmarshal([]byte(resp.Body), &e); err != nil || e.Code != "BadRequest" || e.Message == "" {
				t.Errorf("error body %q (%v)", resp.Body, err)
			}
		})
	}
}

// TestLambdaNotHTTPEvents: what is not an HTTP event fails the invocation.
func TestLambdaNotHTTPEvents(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    error
	}{
		{"not JSON", "{", ErrNotHTTPEvent},
		{"a JSON string", `"GET /"`, ErrNotHTTPEvent},
		{"payload format 1.0", `{"version":"1.0","httpMethod":"GET","path":"/"}`, ErrNotHTTPEvent},
		{"no version", `{"rawPath":"/","requestContext":{"http":{"method":"GET"}}}`, ErrNotHTTPEvent},
		{"no method", `{"version":"2.0","rawPath":"/"}`, ErrNotHTTPEvent},
		{"a scheduled event", `{"version":"0","source":"aws.events","detail-type":"Scheduled Event"}`, ErrNotHTTPEvent},
		{"too large", `{"version":"2.0","body":"` + strings.Repeat("x", 200) + `"}`, ErrLambdaEventTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := LambdaHandler(echoHandler, LambdaOptions{MaxEventBytes: 200}).Invoke(context.Background(), []byte(tt.payload))
			if !errors.Is(err, tt.want) || out != nil {
				t.Fatalf("got %q, %v; want %v", out, err, tt.want)
			}
		})
	}
}

func TestLambdaResponses(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		handler http.HandlerFunc
		opts    LambdaOptions
		want    lambdaResponse
	}{
		{"JSON body as text", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"status":"ok"}`)
		}, LambdaOptions{}, lambdaResponse{StatusCode: 201, Headers: map[string]string{"content-type": "application/json"}, Body: `{"status":"ok"}`}},
		{"binary body as base64", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write([]byte{0xff, 0x00, 0xfe})
		}, LambdaOptions{}, lambdaResponse{StatusCode: 200, Headers: map[string]string{"content-type": "application/octet-stream"}, Body: "/wD+", IsBase64Encoded: true}},
		{"content type sniffed, status defaults to 200", "GET", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "hello")
		}, LambdaOptions{}, lambdaResponse{StatusCode: 200, Headers: map[string]string{"content-type": "text/plain; charset=utf-8"}, Body: "hello"}},
		{"no body, no content type", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}, LambdaOptions{}, lambdaResponse{StatusCode: 204, Headers: map[string]string{}}},
		{"multi-value headers joined, cookies apart, framing dropped", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("Vary", "Accept")
			w.Header().Add("Vary", "Origin")
			w.Header().Add("Set-Cookie", "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT")
			w.Header().Add("Set-Cookie", "b=2")
			w.Header().Set("Content-Length", "1")
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "ok")
		}, LambdaOptions{}, lambdaResponse{StatusCode: 200, Headers: map[string]string{"vary": "Accept,Origin", "content-type": "text/plain"}, Body: "ok",
			Cookies: []string{"a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT", "b=2"}}},
		{"HEAD has no body", "HEAD", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "hello")
		}, LambdaOptions{}, lambdaResponse{StatusCode: 200, Headers: map[string]string{"content-type": "text/plain"}}},
		{"interim status ignored", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusContinue)
			w.WriteHeader(http.StatusAccepted)
			w.WriteHeader(http.StatusTeapot)
		}, LambdaOptions{}, lambdaResponse{StatusCode: 202, Headers: map[string]string{}}},
		{"panic is a 500 without details", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Secret", "s")
			_, _ = io.WriteString(w, "partial")
			panic("boom")
		}, LambdaOptions{}, errorResponse(500, "Internal", "internal error")},
		{"invalid status code is a 500", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(42)
		}, LambdaOptions{}, errorResponse(500, "Internal", "internal error")},
		{"body over the response limit is a 500", "GET", func(w http.ResponseWriter, r *http.Request) {
			if _, err := w.Write(bytes.Repeat([]byte("x"), 300)); !errors.Is(err, errLambdaResponseTooLarge) {
				t.Errorf("Write past the limit: %v", err)
			}
		}, LambdaOptions{MaxResponseBytes: 200}, errorResponse(500, "Internal", "response too large for Lambda")},
		{"headers over the response limit are a 500", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Big", strings.Repeat("h", 300))
		}, LambdaOptions{MaxResponseBytes: 200}, errorResponse(500, "Internal", "response too large for Lambda")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logged bytes.Buffer
			tt.opts.ErrorLog = log.New(&logged, "", 0)
			resp := invoke(t, tt.handler, tt.opts, mustJSON(t, urlEvent(tt.method, "/x", "", nil, "", false)))
			if got, want := mustJSON(t, resp), mustJSON(t, tt.want); !bytes.Equal(got, want) {
				t.Errorf("response\n got %s\nwant %s", got, want)
			}
			if strings.Contains(tt.name, "panic") && !strings.Contains(logged.String(), "panic serving GET /x: boom") {
				t.Errorf("log %q", logged.String())
			}
		})
	}
}

// TestLambdaContext: the request carries the invocation's context (and so
// its deadline).
func TestLambdaContext(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "invocation")
	var got any
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Context().Value(key{}) })
	if _, err := LambdaHandler(h, LambdaOptions{}).Invoke(ctx, mustJSON(t, urlEvent("GET", "/", "", nil, "", false))); err != nil {
		t.Fatal(err)
	}
	if got != "invocation" {
		t.Errorf("context value %v", got)
	}
}
