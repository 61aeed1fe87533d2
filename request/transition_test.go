package request

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/recordtest"
)

const aliceARN = "arn:aws:iam::111122223333:user/alice"

// pending returns a fresh pending request by alice needing required
// approvals; it expires at t0 + 24h.
func pending(t *testing.T, required int) *Request {
	t.Helper()
	p := validParams()
	p.Required = required
	r, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// subject makes the pending requests the shared transition tests start
// from, requiring one approval.
var subject = recordtest.Subject[Request]{
	Fresh: pendingOf(1),
	Clone: clone,
	Equal: func(a, b *Request) bool { return reflect.DeepEqual(a, b) },
}

// pendingOf returns a maker of pending requests needing required
// approvals.
func pendingOf(required int) func(t *testing.T) *Request {
	return func(t *testing.T) *Request { return pending(t, required) }
}

// clone deep-copies r so a test can check that a failed call changed
// nothing.
func clone(r *Request) *Request {
	c := *r
	c.Reviews = slices.Clone(r.Reviews)
	return &c
}

var (
	minute  = t0.Add(time.Minute)
	expires = t0.Add(DefaultPendingTTL)
)

func TestTransitions(t *testing.T) {
	recordtest.Transitions(t, subject, []recordtest.Step[Request]{
		{
			Name: "approve by another user approves",
			Op:   func(r *Request) error { return r.Approve("bob", "arn:bob", "looks fine", minute) },
			Check: func(t *testing.T, r *Request) {
				wantStatus(t, r, StatusApproved)
				if !r.DecidedAt.Equal(minute) || !r.UpdatedAt.Equal(minute) {
					t.Errorf("DecidedAt %s UpdatedAt %s, want both %s", r.DecidedAt, r.UpdatedAt, minute)
				}
				want := []Review{{User: "bob", ARN: "arn:bob", Action: ActionApprove, Comment: "looks fine", At: minute}}
				if !reflect.DeepEqual(r.Reviews, want) {
					t.Errorf("Reviews = %+v, want %+v", r.Reviews, want)
				}
			},
		},
		{
			Name:  "first of two approvals keeps it pending",
			Fresh: pendingOf(2),
			Op:    func(r *Request) error { return r.Approve("bob", arnOf("bob"), "", minute) },
			Check: func(t *testing.T, r *Request) {
				wantStatus(t, r, StatusPending)
				if !r.DecidedAt.IsZero() || len(r.Reviews) != 1 || !r.UpdatedAt.Equal(minute) {
					t.Errorf("after one of two approvals: DecidedAt %s, %d reviews, UpdatedAt %s", r.DecidedAt, len(r.Reviews), r.UpdatedAt)
				}
			},
		},
		{
			Name:   "second distinct approval approves",
			Fresh:  pendingOf(2),
			Before: steps(approve("bob")),
			Op:     func(r *Request) error { return r.Approve("carol", arnOf("carol"), "", minute.Add(time.Minute)) },
			Check: func(t *testing.T, r *Request) {
				wantStatus(t, r, StatusApproved)
				if !r.DecidedAt.Equal(minute.Add(time.Minute)) {
					t.Errorf("DecidedAt = %s, want the second approval's time", r.DecidedAt)
				}
			},
		},
		{Name: "same approver twice", Fresh: pendingOf(2), Before: steps(approve("bob")), Op: approve("bob"), WantErr: ErrTransition},
		{Name: "same approver in another case", Fresh: pendingOf(2), Before: steps(approve("bob")), Op: approve("BOB"), WantErr: ErrTransition},
		{
			Name: "same approver ARN under another name", Fresh: pendingOf(2),
			Before:  steps(func(r *Request) error { return r.Approve("bob", "arn:bob", "", minute) }),
			Op:      func(r *Request) error { return r.Approve("robert", "arn:bob", "", minute) },
			WantErr: ErrTransition,
		},
		{Name: "requester approves own request", Op: approve("alice"), WantErr: ErrTransition},
		{Name: "requester approves in another case", Op: approve("Alice"), WantErr: ErrTransition},
		{
			Name:    "requester approves under another name",
			Op:      func(r *Request) error { return r.Approve("alice2", aliceARN, "", minute) },
			WantErr: ErrTransition,
		},
		{Name: "approve at expiry", Op: func(r *Request) error { return r.Approve("bob", arnOf("bob"), "", expires) }, WantErr: ErrTransition},
		{Name: "approve just before expiry", Op: func(r *Request) error { return r.Approve("bob", arnOf("bob"), "", expires.Add(-time.Nanosecond)) }},
		{Name: "approve with empty user", Op: approve(""), WantErr: ErrInvalid},
		{
			Name: "approve with over-long comment",
			Op: func(r *Request) error {
				return r.Approve("bob", arnOf("bob"), strings.Repeat("é", MaxComment+1), minute)
			},
			WantErr: ErrInvalid,
		},
		{
			Name: "approve with longest comment",
			Op: func(r *Request) error {
				return r.Approve("bob", arnOf("bob"), strings.Repeat("é", MaxComment), minute)
			},
		},
		{
			Name:    "approve with escape sequence in comment",
			Op:      func(r *Request) error { return r.Approve("bob", arnOf("bob"), "ok\x1b[2J", minute) },
			WantErr: ErrInvalid,
		},
		{
			Name: "deny by another user denies",
			Op:   func(r *Request) error { return r.Deny("bob", arnOf("bob"), "not during the freeze", minute) },
			Check: func(t *testing.T, r *Request) {
				wantStatus(t, r, StatusDenied)
				if !r.DecidedAt.Equal(minute) || len(r.Reviews) != 1 || r.Reviews[0].Action != ActionDeny {
					t.Errorf("after deny: DecidedAt %s, reviews %+v", r.DecidedAt, r.Reviews)
				}
			},
		},
		{
			Name: "deny after another's approval", Fresh: pendingOf(2), Before: steps(approve("bob")),
			Op:    func(r *Request) error { return r.Deny("carol", arnOf("carol"), "", minute) },
			Check: func(t *testing.T, r *Request) { wantStatus(t, r, StatusDenied) },
		},
		{Name: "deny by requester", Op: func(r *Request) error { return r.Deny("alice", arnOf("alice"), "", minute) }, WantErr: ErrTransition},
		{
			Name: "deny by someone who approved", Fresh: pendingOf(2), Before: steps(approve("bob")),
			Op: func(r *Request) error { return r.Deny("bob", arnOf("bob"), "", minute) }, WantErr: ErrTransition,
		},
		{Name: "deny at expiry", Op: func(r *Request) error { return r.Deny("bob", arnOf("bob"), "", expires) }, WantErr: ErrTransition},
		{
			Name: "cancel by requester",
			Op:   func(r *Request) error { return r.Cancel("alice", aliceARN, minute) },
			Check: func(t *testing.T, r *Request) {
				wantStatus(t, r, StatusCancelled)
				if !r.DecidedAt.Equal(minute) || !r.UpdatedAt.Equal(minute) {
					t.Errorf("after cancel: DecidedAt %s UpdatedAt %s", r.DecidedAt, r.UpdatedAt)
				}
			},
		},
		{Name: "cancel by requester in another case", Op: func(r *Request) error { return r.Cancel("ALICE", strings.ToUpper(aliceARN), minute) }},
		{Name: "cancel by another user", Op: func(r *Request) error { return r.Cancel("bob", "arn:bob", minute) }, WantErr: ErrTransition},
		{Name: "cancel with requester's name but another ARN", Op: func(r *Request) error { return r.Cancel("alice", "arn:bob", minute) }, WantErr: ErrTransition},
		{Name: "cancel with requester's name and no ARN", Op: func(r *Request) error { return r.Cancel("alice", "", minute) }, WantErr: ErrTransition},
		// The ARN decides who the requester is (person.Same), never the name.
		{Name: "cancel with requester's ARN but another name", Op: func(r *Request) error { return r.Cancel("bob", aliceARN, minute) }},
		{Name: "cancel by another session of the requester's role", Op: func(r *Request) error { return r.Cancel("s2", "arn:aws:sts::111122223333:assumed-role/ci/s2", minute) }, WantErr: ErrTransition},
		{Name: "cancel at expiry", Op: func(r *Request) error { return r.Cancel("alice", aliceARN, expires) }, WantErr: ErrTransition},
		{Name: "expire before ExpiresAt", Op: func(r *Request) error { return r.Expire(expires.Add(-time.Nanosecond)) }, WantErr: ErrTransition},
		{
			Name: "expire at ExpiresAt",
			Op:   func(r *Request) error { return r.Expire(expires.Add(time.Hour)) },
			Check: func(t *testing.T, r *Request) {
				wantStatus(t, r, StatusExpired)
				if !r.DecidedAt.Equal(expires) || !r.UpdatedAt.Equal(expires.Add(time.Hour)) {
					t.Errorf("after expire: DecidedAt %s (want ExpiresAt), UpdatedAt %s (want now)", r.DecidedAt, r.UpdatedAt)
				}
			},
		},
		{
			Name: "auto-approve",
			Op:   func(r *Request) error { return r.AutoApprove(minute) },
			Check: func(t *testing.T, r *Request) {
				wantStatus(t, r, StatusApproved)
				if !r.AutoApproved || !r.DecidedAt.Equal(minute) || len(r.Reviews) != 0 {
					t.Errorf("after auto-approve: AutoApproved %v DecidedAt %s reviews %d", r.AutoApproved, r.DecidedAt, len(r.Reviews))
				}
			},
		},
		{Name: "auto-approve at expiry", Op: func(r *Request) error { return r.AutoApprove(expires) }, WantErr: ErrTransition},
	})
}

// TestFinalStatesAreFinal tries every operation on a request in every final
// state; all must fail with ErrTransition and change nothing.
func TestFinalStatesAreFinal(t *testing.T) {
	final := map[Status]func(r *Request) error{
		StatusApproved:  approve("bob"),
		StatusDenied:    func(r *Request) error { return r.Deny("bob", arnOf("bob"), "", minute) },
		StatusCancelled: func(r *Request) error { return r.Cancel("alice", aliceARN, minute) },
		StatusExpired:   func(r *Request) error { return r.Expire(expires) },
	}
	// Operations are tried both inside the pending window and after it.
	ops := map[string]func(r *Request, now time.Time) error{
		"approve":      func(r *Request, now time.Time) error { return r.Approve("carol", arnOf("carol"), "", now) },
		"deny":         func(r *Request, now time.Time) error { return r.Deny("carol", arnOf("carol"), "", now) },
		"cancel":       func(r *Request, now time.Time) error { return r.Cancel("alice", aliceARN, now) },
		"expire":       func(r *Request, now time.Time) error { return r.Expire(now) },
		"auto-approve": func(r *Request, now time.Time) error { return r.AutoApprove(now) },
	}
	recordtest.FinalStates(t, subject, func(r *Request) Status { return r.Status }, final, ops,
		[]time.Time{minute.Add(time.Minute), expires.Add(time.Hour)}, ErrTransition)
}

func TestEffectiveStatus(t *testing.T) {
	r := pending(t, 1)
	tests := []struct {
		now  time.Time
		want Status
	}{
		{t0, StatusPending},
		{expires.Add(-time.Nanosecond), StatusPending},
		{expires, StatusExpired},
		{expires.Add(time.Hour), StatusExpired},
	}
	for _, tt := range tests {
		if got := r.EffectiveStatus(tt.now); got != tt.want {
			t.Errorf("EffectiveStatus(%s) = %s, want %s", tt.now, got, tt.want)
		}
	}
	if err := r.Approve("bob", arnOf("bob"), "", minute); err != nil {
		t.Fatal(err)
	}
	if got := r.EffectiveStatus(expires.Add(time.Hour)); got != StatusApproved {
		t.Errorf("an approved request reads as %s after the pending TTL", got)
	}
}

func TestWindow(t *testing.T) {
	r := pending(t, 1)
	if !r.WindowEnd().IsZero() || r.ActiveAt(minute) {
		t.Fatalf("a pending request has window end %s and active %v", r.WindowEnd(), r.ActiveAt(minute))
	}
	if err := r.Approve("bob", arnOf("bob"), "", minute); err != nil {
		t.Fatal(err)
	}
	end := minute.Add(time.Hour)
	if !r.WindowEnd().Equal(end) {
		t.Fatalf("WindowEnd = %s, want %s", r.WindowEnd(), end)
	}
	tests := []struct {
		now  time.Time
		want bool
	}{
		{minute, true},
		{end.Add(-time.Nanosecond), true},
		{end, false},
		{end.Add(time.Hour), false},
	}
	for _, tt := range tests {
		if got := r.ActiveAt(tt.now); got != tt.want {
			t.Errorf("ActiveAt(%s) = %v, want %v", tt.now, got, tt.want)
		}
	}

	denied := pending(t, 1)
	if err := denied.Deny("bob", arnOf("bob"), "", minute); err != nil {
		t.Fatal(err)
	}
	if !denied.WindowEnd().IsZero() || denied.ActiveAt(minute) {
		t.Errorf("a denied request has a window")
	}
}

func TestStatusFinal(t *testing.T) {
	for _, s := range []Status{StatusDenied, StatusCancelled, StatusExpired, StatusRevoked} {
		if !Kind.Machine.Final(s) {
			t.Errorf("Final(%s) = false", s)
		}
	}
	// An approved request can still be revoked.
	for _, s := range []Status{StatusPending, StatusApproved} {
		if Kind.Machine.Final(s) {
			t.Errorf("Final(%s) = true", s)
		}
	}
}

// approve returns a step in which user approves at minute.
func approve(user string) func(r *Request) error {
	return func(r *Request) error { return r.Approve(user, arnOf(user), "", minute) }
}

func steps(s ...func(r *Request) error) []func(r *Request) error { return s }

func wantStatus(t *testing.T, r *Request, want Status) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status = %s, want %s", r.Status, want)
	}
}

// arnOf is the ARN of IAM user name in the test account.
func arnOf(name string) string { return "arn:aws:iam::111122223333:user/" + name }

// TestReviewsArePeople: "same person?" is person.Same on the ARN. One role
// reviews once whatever session names it uses (two sessions of an
// approver role count once toward required: 2), a role session that
// calls itself alice is not alice, and an SSO user is one person in every
// account.
func TestReviewsArePeople(t *testing.T) {
	const (
		ciX      = "arn:aws:sts::111122223333:assumed-role/approvers/x"
		ciY      = "arn:aws:sts::111122223333:assumed-role/Approvers/y"
		roleAlic = "arn:aws:sts::111122223333:assumed-role/ci/alice"
		ssoBob1  = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/bob"
		ssoBob2  = "arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_Ops_4567/Bob"
	)
	r := pending(t, 2)
	if err := r.Approve("x", ciX, "", minute); err != nil {
		t.Fatal(err)
	}
	if err := r.Approve("y", ciY, "", minute); !errors.Is(err, ErrTransition) {
		t.Fatalf("second session of the same role: %v, want ErrTransition", err)
	}
	if err := r.Approve("alice", roleAlic, "", minute); err != nil || r.Status != StatusApproved {
		t.Fatalf("a role session named alice is not the requester alice: %v %s", err, r.Status)
	}
	r = pending(t, 2)
	if err := r.Approve("bob", ssoBob1, "", minute); err != nil {
		t.Fatal(err)
	}
	if err := r.Approve("Bob", ssoBob2, "", minute); !errors.Is(err, ErrTransition) {
		t.Fatalf("one SSO user in another account: %v, want ErrTransition", err)
	}
}
