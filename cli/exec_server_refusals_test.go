package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestRefusalReporter: a reason is reported once, then at most once a
// minute with the count since; distinct reasons each get their line; flush
// reports what is left.
func TestRefusalReporter(t *testing.T) {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	now := start
	var out bytes.Buffer
	r := newRefusalReporter(&out, func() time.Time { return now })
	denied := errors.New("access to profile dev denied for alice")
	steps := []struct {
		after  time.Duration // since start
		status int
		err    error
		flush  bool
		want   []string // lines written by this step
	}{
		{0, 403, denied, false, []string{"sentinel: credential server refused a request (403): access to profile dev denied for alice"}},
		{time.Second, 403, denied, false, nil},
		{2 * time.Second, 403, denied, false, nil},
		{3 * time.Second, 503, errors.New("store unavailable"), false, []string{"sentinel: credential server refused a request (503): store unavailable"}},
		{59 * time.Second, 403, denied, false, nil},
		{61 * time.Second, 403, denied, false, []string{"sentinel: credential server refused 4 requests since 10:00:00 (403): access to profile dev denied for alice"}},
		{70 * time.Second, 403, denied, false, nil},
		{71 * time.Second, 0, nil, true, []string{"sentinel: credential server refused a request (403): access to profile dev denied for alice"}},
		{72 * time.Second, 0, nil, true, nil},
	}
	for i, s := range steps {
		out.Reset()
		now = start.Add(s.after)
		if s.flush {
			r.flush()
		} else {
			r.refused(s.status, s.err)
		}
		var got []string
		if out.Len() > 0 {
			got = strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
		}
		if strings.Join(got, "\n") != strings.Join(s.want, "\n") {
			t.Errorf("step %d: wrote %q, want %q", i, got, s.want)
		}
	}
}

// TestRefusalReporterBurst: a hundred refusals in a second are one line.
func TestRefusalReporterBurst(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	r := newRefusalReporter(&out, func() time.Time { return now })
	for i := 0; i < 100; i++ {
		now = now.Add(10 * time.Millisecond)
		r.refused(403, errors.New("denied"))
	}
	if n := strings.Count(out.String(), "\n"); n != 1 {
		t.Errorf("%d lines for 100 refusals in a second, want 1:\n%s", n, out.String())
	}
	r.flush()
	if !strings.Contains(out.String(), "refused 99 requests since 10:00:00 (403): denied") {
		t.Errorf("flush: %s", out.String())
	}
}
