package request

import (
	"errors"
	"testing"
	"time"
)

func TestRevoke(t *testing.T) {
	approved := func(t *testing.T) *Request {
		r := pending(t, 1)
		if err := r.Approve("bob", "arn:aws:iam::111122223333:user/bob", "", minute); err != nil {
			t.Fatal(err)
		}
		return r
	}
	inWindow := minute.Add(30 * time.Minute)
	for _, c := range []struct {
		name    string
		req     func(t *testing.T) *Request
		by      string
		reason  string
		at      time.Time
		wantErr error
	}{
		{name: "approved, in its window", req: approved, by: "alice", reason: "done early", at: inWindow},
		{name: "pending", req: func(t *testing.T) *Request { return pending(t, 1) }, by: "alice", reason: "x", at: inWindow, wantErr: ErrTransition},
		{name: "window ended", req: approved, by: "alice", reason: "x", at: minute.Add(25 * time.Hour), wantErr: ErrTransition},
		{name: "no reason", req: approved, by: "alice", reason: " ", at: inWindow, wantErr: ErrInvalid},
		{name: "control characters in the reason", req: approved, by: "alice", reason: "a\x1b[2Jb", at: inWindow, wantErr: ErrInvalid},
		{name: "nobody", req: approved, by: "", reason: "x", at: inWindow, wantErr: ErrInvalid},
		{name: "no time", req: approved, by: "alice", reason: "x", wantErr: ErrInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.req(t)
			before := *r
			err := r.Revoke(c.by, "", c.reason, c.at)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("got %v, want %v", err, c.wantErr)
				}
				if r.Status != before.Status || r.RevokedBy != "" || !r.UpdatedAt.Equal(before.UpdatedAt) {
					t.Fatalf("a refused revoke changed the request: %+v", r)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != StatusRevoked || r.RevokedBy != c.by || r.RevokeReason != c.reason || !r.RevokedAt.Equal(c.at) || r.ActiveAt(c.at) {
				t.Fatalf("revoked request %+v", r)
			}
			if err := r.Revoke(c.by, "", c.reason, c.at); !errors.Is(err, ErrTransition) {
				t.Fatalf("second revoke: %v", err)
			}
		})
	}
}
