package logging

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestWebhookAnchorer(t *testing.T) {
	var got Head
	var ctype string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctype = r.Header.Get("Content-Type")
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || json.Unmarshal(body, &got) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if got.Seq == 13 {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	h := Head{Log: "host:/l/decisions.jsonl", File: "decisions.jsonl", Seq: 1000, Hash: hashOf([]byte("x")), Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	w := &WebhookAnchorer{URL: srv.URL + "/anchor?token=not-a-real-token"}
	if err := w.Anchor(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	if got != h || ctype != "application/json" {
		t.Fatalf("received %+v (%s), want %+v", got, ctype, h)
	}
	if s := w.String(); strings.Contains(s, "token") || !strings.HasPrefix(s, "webhook http://127.0.0.1:") {
		t.Fatalf("String() = %q", s)
	}

	h.Seq = 13
	err := w.Anchor(context.Background(), h)
	if err == nil || !strings.Contains(err.Error(), "status 403") {
		t.Fatalf("refused anchor: %v", err)
	}

	// A receiver that hangs costs at most the context's deadline, and the
	// error does not repeat the URL (it may carry a token).
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer hang.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = (&WebhookAnchorer{URL: hang.URL + "/?token=not-a-real-token"}).Anchor(ctx, h)
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "token") {
		t.Fatalf("hanging receiver: %v", err)
	}

	// Anchoring a closed receiver fails; AnchorAll still tries the rest.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	h.Seq = 2000
	err = AnchorAll(context.Background(), []Anchorer{&WebhookAnchorer{URL: closed.URL}, w}, h)
	if err == nil || got.Seq != 2000 {
		t.Fatalf("AnchorAll: %v, second anchor got seq %d", err, got.Seq)
	}
}

func TestAdvances(t *testing.T) {
	a := Head{Seq: 10, Hash: hashOf([]byte("a"))}
	tests := []struct {
		next Head
		want bool
	}{
		{Head{Seq: 11, Hash: hashOf([]byte("b"))}, true},
		{a, true},
		{Head{Seq: 10, Hash: hashOf([]byte("b"))}, false},
		{Head{Seq: 9, Hash: hashOf([]byte("b"))}, false},
	}
	for _, tt := range tests {
		if got := Advances(a, tt.next); got != tt.want {
			t.Errorf("Advances(%d, %d) = %v", a.Seq, tt.next.Seq, got)
		}
	}
}
