package vault

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestProbeSTS(t *testing.T) {
	serverTime := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	var gotAuth, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		buf := make([]byte, 100)
		n, _ := r.Body.Read(buf)
		gotBody = string(buf[:n])
		w.Header().Set("Date", serverTime.Format(http.TimeFormat))
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, stsMissingAuth)
	}))
	defer srv.Close()
	local := serverTime.Add(7 * time.Minute)
	p, err := ProbeSTS(context.Background(), STSOptions{Endpoint: srv.URL}, "", time.Second, func() time.Time { return local })
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != http.StatusForbidden || p.Skew() != 7*time.Minute {
		t.Errorf("probe = %+v, skew %s; want 403 and 7m", p, p.Skew())
	}
	if gotAuth != "" || gotBody != "Action=GetCallerIdentity&Version=2011-06-15" {
		t.Errorf("the probe sent Authorization %q, body %q; want none and an unsigned GetCallerIdentity", gotAuth, gotBody)
	}
}

func TestProbeSTSFailures(t *testing.T) {
	noDate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
	}))
	defer noDate.Close()
	if _, err := ProbeSTS(context.Background(), STSOptions{Endpoint: noDate.URL}, "", time.Second, nil); err == nil {
		t.Error("an answer without Date passed")
	}
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server notices a client that went away only once the
		// body is read.
		_, _ = io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer hang.Close()
	start := time.Now()
	_, err := ProbeSTS(context.Background(), STSOptions{Endpoint: hang.URL}, "", 200*time.Millisecond, nil)
	if !errors.Is(err, ErrUnreachable) || time.Since(start) > 2*time.Second {
		t.Errorf("hanging endpoint: err %v after %s; want ErrUnreachable within the timeout", err, time.Since(start))
	}
}
