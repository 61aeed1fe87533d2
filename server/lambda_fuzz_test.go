package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// FuzzLambdaEvent feeds arbitrary events to the Lambda adapter: it must
// never panic; an event is either refused as a whole (ErrNotHTTPEvent,
// ErrLambdaEventTooLarge) or answered with a well-formed response; and a
// request that reaches the handler has a rooted path free of control
// characters and a body within the limit.
func FuzzLambdaEvent(f *testing.F) {
	seeds := []map[string]any{
		urlEvent("GET", "/healthz", "", nil, "", false),
		urlEvent("POST", "/v1/credentials", "a=1&a=2", map[string]string{"x-sentinel-proof": "abc", "content-type": "application/json"}, `{"profile":"p"}`, false),
		urlEvent("POST", "/v1/requests", "", nil, "eyJhIjoxfQ==", true),
		apiEvent("prod", "GET", "/prod/v1/info", "", ""),
		apiEvent("prod", "GET", "/prod", "", ""),
		apiEvent("$default", "DELETE", "/v1/sessions/%2e%2e", "", ""),
	}
	for _, s := range seeds {
		f.Add(mustJSON(f, s))
	}
	f.Add([]byte(`{"version":"2.0","rawPath":"","requestContext":{"http":{"method":"GET","path":"/x"}}}`))
	f.Add([]byte(`{"version":"2.0","rawPath":"/a","cookies":["a=1"],"headers":{"Host":"a","host":"b"},"requestContext":{"http":{"method":"GET"}}}`))
	f.Add([]byte(`{"version":"1.0"}`))
	const maxBody = 64
	f.Fuzz(func(t *testing.T, payload []byte) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := r.URL.EscapedPath()
			if !strings.HasPrefix(p, "/") || !validURIPart(p) || !validURIPart(r.URL.RawQuery) {
				t.Errorf("handler got path %q query %q", p, r.URL.RawQuery)
			}
			body, err := io.ReadAll(r.Body)
			if err != nil || len(body) > maxBody || int64(len(body)) != r.ContentLength {
				t.Errorf("handler got %d body bytes (content length %d, err %v)", len(body), r.ContentLength, err)
			}
			for name, values := range r.Header {
				for _, v := range values {
					if !isToken(name) || !validHeaderValue(v) {
						t.Errorf("handler got header %q: %q", name, v)
					}
				}
			}
			_, _ = w.Write(body)
		})
		out, err := LambdaHandler(h, LambdaOptions{MaxEventBytes: 4096, MaxRequestBody: maxBody}).Invoke(context.Background(), payload)
		if err != nil {
			if !errors.Is(err, ErrNotHTTPEvent) && !errors.Is(err, ErrLambdaEventTooLarge) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		var resp lambdaResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatalf("response is not JSON: %v", err)
		}
		if resp.StatusCode < 200 || resp.StatusCode > 599 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}
