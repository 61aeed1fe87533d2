package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// BenchmarkCredentialsHandler is one credential request through the
// handler (token check, encoding) with a Source that costs nothing: the
// door's own share of a request.
func BenchmarkCredentialsHandler(b *testing.B) {
	h := NewCredentialsHandler(&staticSource{creds: testCredentials()}, testToken, Options{})
	req := httptest.NewRequest("GET", CredentialsPath, nil)
	req.Header.Set("Authorization", testToken)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkCredentialsLoopback is one credential request as a client makes
// it: HTTP over loopback with a kept-alive connection. It reports the
// median and the 99th percentile of the single requests, which say more
// than the mean on a shared machine.
func BenchmarkCredentialsLoopback(b *testing.B) {
	uri := startLoopback(b, &staticSource{creds: testCredentials()})
	client := &http.Client{Transport: &http.Transport{}}
	req, err := http.NewRequestWithContext(context.Background(), "GET", uri, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", testToken)
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "median-ns")
	b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds()), "p99-ns")
}
