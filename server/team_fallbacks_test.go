package server

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/teamapi"
)

// TestFallbackWriterSaysTheCallsFallbacks: the fallbacks a call's broker
// work collected reach the answer's headers, whether the route writes the
// status itself or only a body.
func TestFallbackWriterSaysTheCallsFallbacks(t *testing.T) {
	at := time.Date(2026, 12, 8, 4, 30, 0, 0, time.UTC)
	for _, explicit := range []bool{true, false} {
		_, fbs := broker.WithFallbacks(context.Background())
		rec := httptest.NewRecorder()
		w := &fallbackWriter{ResponseWriter: rec, fallbacks: fbs}
		fbs.Add(broker.Fallback{Role: "arn:aws:iam::111122223333:role/dev", IssuedBefore: at})
		if explicit {
			w.WriteHeader(200)
		}
		_, _ = w.Write([]byte(`{}`))
		got := rec.Result().Header.Values(teamapi.FallbackHeader)
		if len(got) != 1 || got[0] != "arn:aws:iam::111122223333:role/dev 2026-12-08T04:30:00Z" {
			t.Errorf("explicit status %v: headers %q", explicit, got)
		}
	}
	_, none := broker.WithFallbacks(context.Background())
	rec := httptest.NewRecorder()
	_, _ = (&fallbackWriter{ResponseWriter: rec, fallbacks: none}).Write([]byte(`{}`))
	if v := rec.Result().Header.Values(teamapi.FallbackHeader); len(v) != 0 {
		t.Errorf("a call without fallbacks answered %q", v)
	}
}
