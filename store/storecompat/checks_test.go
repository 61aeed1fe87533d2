package storecompat

import (
	"errors"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

// checkReads checks that every fixture record reads back field for field,
// and that every index lists them newest first. It changes nothing.
func checkReads(t *testing.T, b *backend) {
	t.Helper()
	ctx := t.Context()
	for _, want := range wantRequests {
		got, err := getRequest(ctx, b, want.ID)
		if err != nil {
			t.Errorf("get request %s: %v", want.ID, err)
			continue
		}
		same(t, "request "+want.ID, got, want)
	}
	for _, want := range wantEvents {
		got, err := getEvent(ctx, b, want.ID)
		if err != nil {
			t.Errorf("get event %s: %v", want.ID, err)
			continue
		}
		same(t, "event "+want.ID, got, want)
	}
	for _, want := range wantSessions {
		got, err := getSession(ctx, b, want.ID)
		if err != nil {
			t.Errorf("get session %s: %v", want.ID, err)
			continue
		}
		same(t, "session "+want.ID, got, want)
	}

	for _, ix := range []struct {
		name string
		key  func(*request.Request) string
	}{
		{"requester", func(r *request.Request) string { return r.Requester }},
		{"profile", func(r *request.Request) string { return r.Profile }},
		{"status", func(r *request.Request) string { return string(r.Status) }},
	} {
		for _, v := range distinct(wantRequests, ix.key) {
			got, err := listRequests(ctx, b, ix.name, v)
			want := newestFirst(wantRequests, ix.key, v, func(r *request.Request) (time.Time, string) { return r.CreatedAt, r.ID })
			checkList(t, "requests by "+ix.name+" "+v, got, want, err)
		}
	}
	for _, ix := range []struct {
		name string
		key  func(*breakglass.Event) string
	}{
		{"invoker", func(e *breakglass.Event) string { return e.Invoker }},
		{"profile", func(e *breakglass.Event) string { return e.Profile }},
		{"status", func(e *breakglass.Event) string { return string(e.Status) }},
	} {
		for _, v := range distinct(wantEvents, ix.key) {
			got, err := listEvents(ctx, b, ix.name, v)
			want := newestFirst(wantEvents, ix.key, v, func(e *breakglass.Event) (time.Time, string) { return e.OpenedAt, e.ID })
			checkList(t, "events by "+ix.name+" "+v, got, want, err)
		}
	}
	for _, ix := range []struct {
		name string
		key  func(*session.Session) string
	}{
		{"user", func(s *session.Session) string { return s.User }},
		{"user_arn", func(s *session.Session) string { return s.UserARN }},
		{"profile", func(s *session.Session) string { return s.Profile }},
		{"status", func(s *session.Session) string { return string(s.Status) }},
	} {
		for _, v := range distinct(wantSessions, ix.key) {
			got, err := listSessions(ctx, b, ix.name, v)
			want := newestFirst(wantSessions, ix.key, v, func(s *session.Session) (time.Time, string) { return s.StartedAt, s.ID })
			checkList(t, "sessions by "+ix.name+" "+v, got, want, err)
		}
	}
	// The user-ARN index ignores case.
	got, err := listSessions(ctx, b, "user_arn", strings.ToUpper(userARN("alice")))
	want := newestFirst(wantSessions, func(s *session.Session) string { return s.User }, "alice",
		func(s *session.Session) (time.Time, string) { return s.StartedAt, s.ID })
	checkList(t, "sessions by upper-case user ARN", got, want, err)

	// The ID-prefix index: two requests share a prefix, one is alone.
	for prefix, want := range map[string][]string{
		wantRequests[0].ID[:request.IndexedPrefixLen]: {wantRequests[0].ID, wantRequests[1].ID},
		wantRequests[5].ID[:request.IndexedPrefixLen]: {wantRequests[5].ID},
		wantRequests[5].ID:                            {wantRequests[5].ID},
	} {
		ids, err := requestIDsWithPrefix(ctx, b, prefix, 10)
		if err != nil {
			t.Errorf("request IDs with prefix %s: %v", prefix, err)
			continue
		}
		slices.Sort(ids)
		if !slices.Equal(ids, want) {
			t.Errorf("request IDs with prefix %s = %v, want %v", prefix, ids, want)
		}
	}

	// Blocks: dave's is in force (under any case of his ARN), erin's was lifted.
	for _, arn := range []string{wantBlocks[0].UserARN, strings.ToUpper(wantBlocks[0].UserARN)} {
		bl, ok, err := activeBlock(ctx, b, arn, now)
		if err != nil || !ok {
			t.Errorf("active block of %s = %v, %v; want dave's block", arn, ok, err)
		} else {
			same(t, "block of "+arn, bl, &wantBlocks[0])
		}
	}
	if bl, ok, err := activeBlock(ctx, b, wantBlocks[1].UserARN, now); err != nil || ok {
		t.Errorf("active block of erin = %+v, %v, %v; want none (lifted)", bl, ok, err)
	}
	if _, ok, err := activeBlock(ctx, b, wantBlocks[1].UserARN, wantBlocks[1].At.Add(time.Minute)); err != nil || ok {
		t.Errorf("active block of erin before its lift time = %v, %v; want none: the lift is stored", ok, err)
	}

	// Anchors. The team anchor is keyed by the folded owner ARN, so any
	// case of it finds the old record.
	for _, owner := range []string{wantTeamAnchor.owner, strings.ToUpper(wantTeamAnchor.owner)} {
		h, ok, err := b.team.TeamAnchor(ctx, owner, wantTeamAnchor.head.Log)
		if err != nil || !ok {
			t.Errorf("team anchor of %s: %v, %v", owner, ok, err)
		} else {
			same(t, "team anchor of "+owner, &h, &wantTeamAnchor.head)
		}
	}
	if b.log != nil {
		h, ok, err := b.log.LastAnchor(ctx, wantLogAnchor.Log)
		if err != nil || !ok {
			t.Errorf("log anchor: %v, %v", ok, err)
		} else {
			same(t, "log anchor", &h, &wantLogAnchor)
		}
	}
}

// checkChanges changes the old records the way the service does and checks
// that the old lock, quota and block state still decide what is refused.
func checkChanges(t *testing.T, b *backend) {
	t.Helper()
	ctx := t.Context()

	t.Run("approve a pending request", func(t *testing.T) {
		old := wantRequests[0]
		review := request.Review{User: "carol", ARN: userARN("carol"), Action: request.ActionApprove, Comment: "go", At: at(121)}
		err := changeRequest(ctx, b, old.ID, func(r *request.Request) error {
			r.Status, r.DecidedAt, r.UpdatedAt = request.StatusApproved, at(121), at(121)
			r.Reviews = append(r.Reviews, review)
			return nil
		})
		if err != nil {
			t.Fatalf("approve %s: %v", old.ID, err)
		}
		want := *old
		want.Status, want.DecidedAt, want.UpdatedAt, want.Version = request.StatusApproved, at(121), at(121), old.Version+1
		want.Reviews = []request.Review{review}
		got, err := getRequest(ctx, b, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "approved request", got, &want)
		listed, err := listRequests(ctx, b, "status", string(request.StatusPending))
		if err != nil {
			t.Fatal(err)
		}
		if ids := requestIDs(listed); slices.Contains(ids, old.ID) {
			t.Errorf("pending requests %v still hold the approved %s: the status index was not moved", ids, old.ID)
		}
		listed, err = listRequests(ctx, b, "status", string(request.StatusApproved))
		if err != nil {
			t.Fatal(err)
		}
		if ids := requestIDs(listed); !slices.Contains(ids, old.ID) {
			t.Errorf("approved requests %v lack %s", ids, old.ID)
		}
	})

	t.Run("break-glass lock and quota hold on old data", func(t *testing.T) {
		for _, c := range []struct {
			name string
			e    *breakglass.Event
			lim  breakglass.Limits
			want error
		}{
			{"alice on prod while her event is active", newEvent("d4d4000000000001", "alice", "prod", ""), breakglass.Limits{}, breakglass.ErrActiveExists},
			{"bob on staging's role while his event holds it", newEvent("d4d4000000000002", "bob", "staging", roleARN("staging-breakglass")), breakglass.Limits{}, breakglass.ErrActiveExists},
			{"bob on prod within the cooldown", newEvent("d4d4000000000003", "bob", "prod", ""), breakglass.Limits{Cooldown: 2 * time.Hour}, breakglass.ErrLimit},
			{"alice past the daily limit", newEvent("d4d4000000000004", "alice", "dev", ""), breakglass.Limits{MaxPerDay: 3}, breakglass.ErrLimit},
		} {
			err := openEvent(ctx, b, c.e, c.lim)
			if !errors.Is(err, c.want) {
				t.Errorf("%s: open = %v, want %v", c.name, err, c.want)
			}
			if _, err := getEvent(ctx, b, c.e.ID); !errors.Is(err, breakglass.ErrNotFound) {
				t.Errorf("%s: the refused event was stored (get: %v)", c.name, err)
			}
		}
		// Under the limit the same opening is allowed: the refusals came
		// from the old history, not from a broken read.
		ok := newEvent("d4d4000000000005", "alice", "dev", "")
		if err := openEvent(ctx, b, ok, breakglass.Limits{MaxPerDay: 4}); err != nil {
			t.Errorf("alice on dev under a daily limit of 4: %v", err)
		}
	})

	t.Run("close an active event and reopen", func(t *testing.T) {
		old := wantEvents[4]
		if holder, err := b.lockHolder(ctx, old.ID); err != nil || holder != old.ID {
			t.Fatalf("the old lock slot of %s names %q (%v)", old.ID, holder, err)
		}
		err := changeEvent(ctx, b, old.ID, func(e *breakglass.Event) error {
			e.Status, e.ClosedAt, e.ClosedBy, e.CloseReason = breakglass.StatusClosed, at(125), "alice", "resolved"
			return nil
		})
		if err != nil {
			t.Fatalf("close %s: %v", old.ID, err)
		}
		want := *old
		want.Status, want.ClosedAt, want.ClosedBy, want.CloseReason, want.Version = breakglass.StatusClosed, at(125), "alice", "resolved", old.Version+1
		got, err := getEvent(ctx, b, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "closed event", got, &want)
		// Closing released the old lock: alice may open prod again.
		e := newEvent("d4d4000000000006", "alice", "prod", "")
		e.OpenedAt, e.ExpiresAt = at(126), at(186)
		if err := openEvent(ctx, b, e, breakglass.Limits{}); err != nil {
			t.Fatalf("reopen prod after closing: %v", err)
		}
		got, err = getEvent(ctx, b, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "reopened event", got, e)
		// The reopening took the very lock slot the old release wrote.
		if holder, err := b.lockHolder(ctx, old.ID); err != nil || holder != e.ID {
			t.Errorf("the old lock slot of %s now names %q (%v), want the reopened %s", old.ID, holder, err, e.ID)
		}
	})

	t.Run("touch and revoke sessions", func(t *testing.T) {
		old := wantSessions[0]
		if err := touchSession(ctx, b, old.ID, old.UserARN, at(120), at(170)); err != nil {
			t.Fatalf("touch %s: %v", old.ID, err)
		}
		want := *old
		want.RequestCount, want.LastAccessAt, want.ExpiresAt, want.Version = old.RequestCount+1, at(120), at(170), old.Version+1
		got, err := getSession(ctx, b, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "touched session", got, &want)

		old = wantSessions[3]
		if err := revokeSession(ctx, b, old.ID, "carol", userARN("carol"), "shift ended", at(121)); err != nil {
			t.Fatalf("revoke %s: %v", old.ID, err)
		}
		want = *old
		want.Status, want.RevokedBy, want.RevokedByARN, want.RevokeReason, want.RevokedAt, want.Version =
			session.StatusRevoked, "carol", userARN("carol"), "shift ended", at(121), old.Version+1
		got, err = getSession(ctx, b, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "revoked session", got, &want)

		for _, c := range []struct {
			s    *session.Session
			want error
		}{{wantSessions[1], session.ErrRevoked}, {wantSessions[2], session.ErrExpired}} {
			if err := touchSession(ctx, b, c.s.ID, c.s.UserARN, at(120), at(170)); !errors.Is(err, c.want) {
				t.Errorf("touch %s session %s = %v, want %v", c.s.Status, c.s.ID, err, c.want)
			}
		}
	})

	t.Run("a blocked person is refused until lifted", func(t *testing.T) {
		dave := wantSessions[4]
		if err := touchSession(ctx, b, dave.ID, dave.UserARN, at(120), at(180)); !errors.Is(err, session.ErrBlocked) {
			t.Errorf("touch of blocked dave's session = %v, want ErrBlocked", err)
		}
		fresh := &session.Session{
			ID: "e5e5000000000001", User: "dave", UserARN: userARN("dave"), Account: account, Profile: "dev",
			Status: session.StatusActive, StartedAt: at(120), LastAccessAt: at(120), ExpiresAt: at(180),
		}
		if err := createSession(ctx, b, fresh); !errors.Is(err, session.ErrBlocked) {
			t.Errorf("new session for blocked dave = %v, want ErrBlocked", err)
		}
		if got, err := getSession(ctx, b, dave.ID); err != nil {
			t.Error(err)
		} else {
			same(t, "blocked dave's session after refusals", got, dave)
		}
		if err := unblockUser(ctx, b, dave.UserARN, "carol", userARN("carol"), at(122)); err != nil {
			t.Fatalf("lift dave's block: %v", err)
		}
		if bl, ok, err := activeBlock(ctx, b, dave.UserARN, at(123)); err != nil || ok {
			t.Errorf("active block after lifting = %+v, %v, %v", bl, ok, err)
		}
		if err := touchSession(ctx, b, dave.ID, dave.UserARN, at(123), at(180)); err != nil {
			t.Errorf("touch after lifting: %v", err)
		}
		// erin's lifted block from the old file gives way to a new one.
		erin := session.Block{UserARN: userARN("erin"), By: "carol", ByARN: userARN("carol"), Reason: "again", At: at(124)}
		if err := blockUser(ctx, b, erin); err != nil {
			t.Fatalf("block erin over her lifted block: %v", err)
		}
		if bl, ok, err := activeBlock(ctx, b, erin.UserARN, at(125)); err != nil || !ok {
			t.Errorf("erin's new block: %v, %v", ok, err)
		} else {
			same(t, "erin's new block", bl, &erin)
		}
	})

	t.Run("anchors only move forward", func(t *testing.T) {
		behind := wantTeamAnchor.head
		behind.Seq--
		if err := b.team.PutTeamAnchor(ctx, wantTeamAnchor.owner, behind); !errors.Is(err, logging.ErrAnchorBehind) {
			t.Errorf("team anchor behind the old one = %v, want ErrAnchorBehind", err)
		}
		ahead := wantTeamAnchor.head
		ahead.Seq++
		ahead.Hash = strings.Repeat("ab", 32)
		if err := b.team.PutTeamAnchor(ctx, wantTeamAnchor.owner, ahead); err != nil {
			t.Errorf("team anchor ahead of the old one: %v", err)
		}
		if b.log != nil {
			behind := wantLogAnchor
			behind.Seq--
			if err := b.log.Anchor(ctx, behind); !errors.Is(err, logging.ErrAnchorBehind) {
				t.Errorf("log anchor behind the old one = %v, want ErrAnchorBehind", err)
			}
		}
	})
}

// newEvent is an active event opened at now for an hour.
func newEvent(id, invoker, profile, role string) *breakglass.Event {
	return &breakglass.Event{
		ID: id, Invoker: invoker, InvokerARN: userARN(invoker), Profile: profile, RoleARN: role,
		ReasonCode: breakglass.ReasonIncident, Justification: "compat check", Duration: time.Hour,
		Status: breakglass.StatusActive, OpenedAt: now, ExpiresAt: now.Add(time.Hour),
	}
}

// same fails t unless got equals want field for field.
func same[T any](t *testing.T, what string, got, want *T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s differs\n got: %+v\nwant: %+v", what, got, want)
	}
}

// checkList compares a listing with the expected records, in order.
func checkList[T any](t *testing.T, what string, got, want []*T, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d records, want %d\n got: %s\nwant: %s", what, len(got), len(want), describe(got), describe(want))
		return
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s: record %d differs\n got: %+v\nwant: %+v", what, i, got[i], want[i])
		}
	}
}

func describe[T any](items []*T) string {
	var parts []string
	for _, it := range items {
		parts = append(parts, reflect.ValueOf(it).Elem().FieldByName("ID").String())
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// distinct returns the distinct values of key over items, sorted.
func distinct[T any](items []*T, key func(*T) string) []string {
	var out []string
	for _, it := range items {
		if v := key(it); !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// newestFirst returns the items whose key is value, newest first. The
// fixtures have no two items at the same time, so the ID order of ties
// does not matter here.
func newestFirst[T any](items []*T, key func(*T) string, value string, when func(*T) (time.Time, string)) []*T {
	var out []*T
	for _, it := range items {
		if key(it) == value {
			out = append(out, it)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		ti, _ := when(out[i])
		tj, _ := when(out[j])
		return ti.After(tj)
	})
	return out
}

func requestIDs(rs []*request.Request) []string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}
