package request

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
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
	tests := []struct {
		name     string
		required int
		// before runs steps that must succeed; op is the step under test.
		before  []func(r *Request) error
		op      func(r *Request) error
		wantErr error
		// check runs on success.
		check func(t *testing.T, r *Request)
	}{
		{
			name: "approve by another user approves",
			op:   func(r *Request) error { return r.Approve("bob", "arn:bob", "looks fine", minute) },
			check: func(t *testing.T, r *Request) {
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
			name:     "first of two approvals keeps it pending",
			required: 2,
			op:       func(r *Request) error { return r.Approve("bob", arnOf("bob"), "", minute) },
			check: func(t *testing.T, r *Request) {
				wantStatus(t, r, StatusPending)
				if !r.DecidedAt.IsZero() || len(r.Reviews) != 1 || !r.UpdatedAt.Equal(minute) {
					t.Errorf("after one of two approvals: DecidedAt %s, %d reviews, UpdatedAt %s", r.DecidedAt, len(r.Reviews), r.UpdatedAt)
				}
			},
		},
		{
			name:     "second distinct approval approves",
			required: 2,
			before:   steps(approve("bob")),
			op:       func(r *Request) error { return r.Approve("carol", arnOf("carol"), "", minute.Add(time.Minute)) },
			check: func(t *testing.T, r *Request) {
				wantStatus(t, r, StatusApproved)
				if !r.DecidedAt.Equal(minute.Add(time.Minute)) {
					t.Errorf("DecidedAt = %s, want the second approval's time", r.DecidedAt)
				}
			},
		},
		{name: "same approver twice", required: 2, before: steps(approve("bob")), op: approve("bob"), wantErr: ErrTransition},
		{name: "same approver in another case", required: 2, before: steps(approve("bob")), op: approve("BOB"), wantErr: ErrTransition},
		{
			name: "same approver ARN under another name", required: 2,
			before:  steps(func(r *Request) error { return r.Approve("bob", "arn:bob", "", minute) }),
			op:      func(r *Request) error { return r.Approve("robert", "arn:bob", "", minute) },
			wantErr: ErrTransition,
		},
		{name: "requester approves own request", op: approve("alice"), wantErr: ErrTransition},
		{name: "requester approves in another case", op: approve("Alice"), wantErr: ErrTransition},
		{
			name:    "requester approves under another name",
			op:      func(r *Request) error { return r.Approve("alice2", aliceARN, "", minute) },
			wantErr: ErrTransition,
		},
		{name: "approve at expiry", op: func(r *Request) error { return r.Approve("bob", arnOf("bob"), "", expires) }, wantErr: ErrTransition},
		{name: "approve just before expiry", op: func(r *Request) error { return r.Approve("bob", arnOf("bob"), "", expires.Add(-time.Nanosecond)) }},
		{name: "approve with empty user", op: approve(""), wantErr: ErrInvalid},
		{
			name: "approve with over-long comment",
			op: func(r *Request) error {
				return r.Approve("bob", arnOf("bob"), strings.Repeat("é", MaxComment+1), minute)
			},
			wantErr: ErrInvalid,
		},
		{
			name: "approve with longest comment",
			op: func(r *Request) error {
				return r.Approve("bob", arnOf("bob"), strings.Repeat("é", MaxComment), minute)
			},
		},
		{
			name:    "approve with escape sequence in comment",
			op:      func(r *Request) error { return r.Approve("bob", arnOf("bob"), "ok\x1b[2J", minute) },
			wantErr: ErrInvalid,
		},
		{
			name: "deny by another user denies",
			op:   func(r *Request) error { return r.Deny("bob", arnOf("bob"), "not during the freeze", minute) },
			check: func(t *testing.T, r *Request) {
				wantStatus(t, r, StatusDenied)
				if !r.DecidedAt.Equal(minute) || len(r.Reviews) != 1 || r.Reviews[0].Action != ActionDeny {
					t.Errorf("after deny: DecidedAt %s, reviews %+v", r.DecidedAt, r.Reviews)
				}
			},
		},
		{
			name: "deny after another's approval", required: 2, before: steps(approve("bob")),
			op:    func(r *Request) error { return r.Deny("carol", arnOf("carol"), "", minute) },
			check: func(t *testing.T, r *Request) { wantStatus(t, r, StatusDenied) },
		},
		{name: "deny by requester", op: func(r *Request) error { return r.Deny("alice", arnOf("alice"), "", minute) }, wantErr: ErrTransition},
		{
			name: "deny by someone who approved", required: 2, before: steps(approve("bob")),
			op: func(r *Request) error { return r.Deny("bob", arnOf("bob"), "", minute) }, wantErr: ErrTransition,
		},
		{name: "deny at expiry", op: func(r *Request) error { return r.Deny("bob", arnOf("bob"), "", expires) }, wantErr: ErrTransition},
		{
			name: "cancel by requester",
			op:   func(r *Request) error { return r.Cancel("alice", aliceARN, minute) },
			check: func(t *testing.T, r *Request) {
				wantStatus(t, r, StatusCancelled)
				if !r.DecidedAt.Equal(minute) || !r.UpdatedAt.Equal(minute) {
					t.Errorf("after cancel: DecidedAt %s UpdatedAt %s", r.DecidedAt, r.UpdatedAt)
				}
			},
		},
		{name: "cancel by requester in another case", op: func(r *Request) error { return r.Cancel("ALICE", strings.ToUpper(aliceARN), minute) }},
		{name: "cancel by another user", op: func(r *Request) error { return r.Cancel("bob", "arn:bob", minute) }, wantErr: ErrTransition},
		{name: "cancel with requester's name but another ARN", op: func(r *Request) error { return r.Cancel("alice", "arn:bob", minute) }, wantErr: ErrTransition},
		{name: "cancel with requester's name and no ARN", op: func(r *Request) error { return r.Cancel("alice", "", minute) }, wantErr: ErrTransition},
		// The ARN decides who the requester is (person.Same), never the name.
		{name: "cancel with requester's ARN but another name", op: func(r *Request) error { return r.Cancel("bob", aliceARN, minute) }},
		{name: "cancel by another session of the requester's role", op: func(r *Request) error { return r.Cancel("s2", "arn:aws:sts::111122223333:assumed-role/ci/s2", minute) }, wantErr: ErrTransition},
		{name: "cancel at expiry", op: func(r *Request) error { return r.Cancel("alice", aliceARN, expires) }, wantErr: ErrTransition},
		{name: "expire before ExpiresAt", op: func(r *Request) error { return r.Expire(expires.Add(-time.Nanosecond)) }, wantErr: ErrTransition},
		{
			name: "expire at ExpiresAt",
			op:   func(r *Request) error { return r.Expire(expires.Add(time.Hour)) },
			check: func(t *testing.T, r *Request) {
				wantStatus(t, r, StatusExpired)
				if !r.DecidedAt.Equal(expires) || !r.UpdatedAt.Equal(expires.Add(time.Hour)) {
					t.Errorf("after expire: DecidedAt %s (want ExpiresAt), UpdatedAt %s (want now)", r.DecidedAt, r.UpdatedAt)
				}
			},
		},
		{
			name: "auto-approve",
			op:   func(r *Request) error { return r.AutoApprove(minute) },
			check: func(t *testing.T, r *Request) {
				wantStatus(t, r, StatusApproved)
				if !r.AutoApproved || !r.DecidedAt.Equal(minute) || len(r.Reviews) != 0 {
					t.Errorf("after auto-approve: AutoApproved %v DecidedAt %s reviews %d", r.AutoApproved, r.DecidedAt, len(r.Reviews))
				}
			},
		},
		{name: "auto-approve at expiry", op: func(r *Request) error { return r.AutoApprove(expires) }, wantErr: ErrTransition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			required := tt.required
			if required == 0 {
				required = 1
			}
			r := pending(t, required)
			for i, step := range tt.before {
				if err := step(r); err != nil {
					t.Fatalf("setup step %d: %v", i, err)
				}
			}
			before := clone(r)
			err := tt.op(r)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
				if !reflect.DeepEqual(r, before) {
					t.Fatalf("failed call changed the request:\n%+v\nwas\n%+v", r, before)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
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
	for status, reach := range final {
		for name, op := range ops {
			for _, now := range []time.Time{minute.Add(time.Minute), expires.Add(time.Hour)} {
				r := pending(t, 1)
				if err := reach(r); err != nil {
					t.Fatalf("reach %s: %v", status, err)
				}
				wantStatus(t, r, status)
				before := clone(r)
				if err := op(r, now); !errors.Is(err, ErrTransition) {
					t.Errorf("%s on a %s request at %s: got %v, want ErrTransition", name, status, now, err)
				}
				if !reflect.DeepEqual(r, before) {
					t.Errorf("%s on a %s request changed it", name, status)
				}
			}
		}
	}
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
