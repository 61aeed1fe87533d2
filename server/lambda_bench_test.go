package server

import (
	"context"
	"io"
	"net/http"
	"testing"
)

// BenchmarkLambdaInvoke measures the adapter alone: decode a function URL
// event with a JSON body, serve it, encode the response.
func BenchmarkLambdaInvoke(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	l := LambdaHandler(h, LambdaOptions{})
	payload := mustJSON(b, urlEvent("POST", "/v1/credentials", "", map[string]string{"x-sentinel-proof": "cHJvb2Y", "content-type": "application/json"}, `{"profile":"prod","duration_seconds":3600}`, false))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}
