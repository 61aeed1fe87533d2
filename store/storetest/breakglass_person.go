package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
)

// The break-glass lock, cooldown and daily limit belong to a person key,
// never to a name the caller chose (see breakglass.Event.PersonKey).

// sessionEvent is newEvent opened by a role session: role ci (private to
// the subtest) under session name sess.
func (s *breakglassSuite) sessionEvent(t *testing.T, sess, profile string, offset time.Duration) *breakglass.Event {
	t.Helper()
	e := s.newEvent(t, sess, profile, offset)
	role := strings.ReplaceAll(s.name(t, "ci"), "/", "-")
	e.InvokerARN = "arn:aws:sts::111122223333:assumed-role/" + role + "/" + sess
	return e
}

// namesakeHoldsNothing: a role session that calls itself alice holds
// neither alice's lock nor any of her daily quota.
func (s *breakglassSuite) namesakeHoldsNothing(t *testing.T) {
	st := s.newStore(t)
	alice := strings.ReplaceAll(s.name(t, "alice"), "/", "-")
	prod := s.name(t, "prod")
	lim := breakglass.Limits{MaxPerDay: 1, Cooldown: time.Hour}
	if err := st.Open(t.Context(), s.sessionEvent(t, alice, prod, 0), lim); err != nil {
		t.Fatalf("the role session's open: %v", err)
	}
	if err := st.Open(t.Context(), s.newEvent(t, alice, prod, time.Minute), lim); err != nil {
		t.Fatalf("alice's own open after a role session named alice opened one: %v", err)
	}
}

// sessionNamesShareOneQuota: a role's sessions share its lock and its
// daily quota whatever their names, so rotating names gets nothing more.
func (s *breakglassSuite) sessionNamesShareOneQuota(t *testing.T) {
	st := s.newStore(t)
	lim := breakglass.Limits{MaxPerDay: 2}
	first := s.sessionEvent(t, "s1", s.name(t, "p1"), 0)
	if err := st.Open(t.Context(), first, lim); err != nil {
		t.Fatal(err)
	}
	err := st.Open(t.Context(), s.sessionEvent(t, "s2", s.name(t, "p1"), time.Minute), lim)
	if !errors.Is(err, breakglass.ErrActiveExists) {
		t.Fatalf("another session name on the same profile: %v, want ErrActiveExists", err)
	}
	if err := st.Open(t.Context(), s.sessionEvent(t, "s3", s.name(t, "p2"), 2*time.Minute), lim); err != nil {
		t.Fatal(err)
	}
	err = st.Open(t.Context(), s.sessionEvent(t, "s4", s.name(t, "p3"), 3*time.Minute), lim)
	wantLimit(t, "third open under a third session name", err, breakglass.ErrLimit, first.OpenedAt.Add(24*time.Hour))
}
