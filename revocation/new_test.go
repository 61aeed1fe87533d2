package revocation

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

func params() Params {
	return Params{
		Roles:     []string{roleA, roleB},
		Now:       t0,
		ExpiresAt: t0.Add(time.Hour),
		By:        "admin",
		ByARN:     "arn:aws:iam::111122223333:user/admin",
	}
}

// TestNew checks every constructor's validation: what each accepts, and
// that everything that could widen an IAM condition or outlive its
// credentials is refused as invalid.
func TestNew(t *testing.T) {
	long := "arn:aws:iam::111122223333:role/" + strings.Repeat("r", 65)
	tests := []struct {
		name   string
		target Target
		value  string
		edit   func(*Params)
		ok     bool
	}{
		{"session", TargetSession, "0123456789abcdef", nil, true},
		{"session upper case", TargetSession, "0123456789ABCDEF", nil, false},
		{"session short", TargetSession, "0123456789abcde", nil, false},
		{"session wildcard", TargetSession, "0123456789abcde*", nil, false},
		{"grant approval", TargetGrant, "apr-0123456789abcdef", nil, true},
		{"grant break-glass", TargetGrant, "bg-0123456789abcdef", nil, true},
		{"grant direct", TargetGrant, "direct", nil, false},
		{"grant wildcard", TargetGrant, "apr-*", nil, false},
		{"grant question mark", TargetGrant, "bg-0123456789abcde?", nil, false},
		{"grant other prefix", TargetGrant, "xyz-0123456789abcdef", nil, false},
		{"grant empty", TargetGrant, "", nil, false},
		{"block plain label", TargetBlock, "alice", nil, true},
		{"block dotted name", TargetBlock, "alice,smith", nil, true},
		{"block tagged label", TargetBlock, "deploy=r111122223333", nil, true},
		{"block sso", TargetBlock, "alice=sso", nil, true},
		{"block dot", TargetBlock, "alice.smith", nil, false},
		{"block star", TargetBlock, "ali*", nil, false},
		{"block lone star", TargetBlock, "*", nil, false},
		{"block question mark", TargetBlock, "alic?", nil, false},
		{"block policy variable", TargetBlock, "${aws:username}", nil, false},
		{"block dollar", TargetBlock, "a$b", nil, false},
		{"block upper case", TargetBlock, "Alice", nil, false},
		{"block empty", TargetBlock, "", nil, false},
		{"block too long", TargetBlock, strings.Repeat("a", 40), nil, false},
		{"no roles", TargetSession, "0123456789abcdef", func(p *Params) { p.Roles = nil }, false},
		{"role twice", TargetSession, "0123456789abcdef", func(p *Params) {
			p.Roles = []string{roleA, strings.ToUpper(roleA[:4]) + roleA[4:]}
		}, false},
		{"role of another partition", TargetSession, "0123456789abcdef", func(p *Params) { p.Roles = []string{roleC} }, true},
		{"user ARN as role", TargetSession, "0123456789abcdef", func(p *Params) {
			p.Roles = []string{"arn:aws:iam::111122223333:user/alice"}
		}, false},
		{"role wildcard", TargetSession, "0123456789abcdef", func(p *Params) {
			p.Roles = []string{"arn:aws:iam::111122223333:role/*"}
		}, false},
		{"role short account", TargetSession, "0123456789abcdef", func(p *Params) {
			p.Roles = []string{"arn:aws:iam::11112222333:role/deploy"}
		}, false},
		{"role not iam", TargetSession, "0123456789abcdef", func(p *Params) {
			p.Roles = []string{"arn:aws:sts::111122223333:role/deploy"}
		}, false},
		{"role bad partition", TargetSession, "0123456789abcdef", func(p *Params) {
			p.Roles = []string{"arn:azure:iam::111122223333:role/deploy"}
		}, false},
		{"role empty path segment", TargetSession, "0123456789abcdef", func(p *Params) {
			p.Roles = []string{"arn:aws:iam::111122223333:role/team//deploy"}
		}, false},
		{"role name too long", TargetSession, "0123456789abcdef", func(p *Params) { p.Roles = []string{long} }, false},
		{"too many roles", TargetSession, "0123456789abcdef", func(p *Params) {
			p.Roles = nil
			for i := 0; i <= MaxRoles; i++ {
				p.Roles = append(p.Roles, fmt.Sprintf("arn:aws:iam::111122223333:role/r%d", i))
			}
		}, false},
		{"expiry at creation", TargetSession, "0123456789abcdef", func(p *Params) { p.ExpiresAt = p.Now }, false},
		{"expiry before creation", TargetSession, "0123456789abcdef", func(p *Params) { p.ExpiresAt = p.Now.Add(-time.Second) }, false},
		{"expiry at the longest session", TargetSession, "0123456789abcdef", func(p *Params) {
			p.ExpiresAt = p.Now.Add(MaxCredentialLifetime + MaxSkew)
		}, true},
		{"expiry past the longest session", TargetSession, "0123456789abcdef", func(p *Params) {
			p.ExpiresAt = p.Now.Add(MaxCredentialLifetime + MaxSkew + time.Second)
		}, false},
		{"no time", TargetSession, "0123456789abcdef", func(p *Params) { p.Now = time.Time{} }, false},
		{"no actor", TargetSession, "0123456789abcdef", func(p *Params) { p.By = "" }, false},
		{"actor with control character", TargetSession, "0123456789abcdef", func(p *Params) { p.By = "ad\x1bmin" }, false},
		{"no actor ARN", TargetSession, "0123456789abcdef", func(p *Params) { p.ByARN = "" }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := params()
			if tt.edit != nil {
				tt.edit(&p)
			}
			var (
				e   *Entry
				err error
			)
			switch tt.target {
			case TargetSession:
				e, err = NewSession(tt.value, p)
			case TargetGrant:
				e, err = NewGrant(tt.value, p)
			case TargetBlock:
				e, err = NewBlock(tt.value, p)
			}
			if !tt.ok {
				if err == nil || !errors.Is(err, record.ErrInvalid) {
					t.Fatalf("got %+v, %v; want an invalid error", e, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !record.ValidID(e.ID) || e.Target != tt.target || e.Value != tt.value || e.Status != StatusActive ||
				!e.CreatedAt.Equal(p.Now) || !e.ExpiresAt.Equal(p.ExpiresAt) || e.Version != 0 {
				t.Fatalf("entry %+v", e)
			}
			if len(p.Roles) > 0 {
				p.Roles[0] = "changed"
				if e.Roles[0] == "changed" {
					t.Fatal("the entry shares its roles with the caller")
				}
			}
		})
	}
}

// TestNewIDsDiffer checks that every entry gets a fresh random ID.
func TestNewIDsDiffer(t *testing.T) {
	a, err := NewSession("0123456789abcdef", params())
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewSession("0123456789abcdef", params())
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == b.ID {
		t.Fatalf("two entries share ID %s", a.ID)
	}
}

// TestNewOlder checks the fallback entry: one role, its time rounded up to
// a whole second, kept for the role's longest session after it.
func TestNewOlder(t *testing.T) {
	at := t0.Add(1500 * time.Millisecond)
	tests := []struct {
		name    string
		role    string
		longest time.Duration
		ok      bool
	}{
		{"one hour", roleA, time.Hour, true},
		{"twelve hours", roleB, MaxCredentialLifetime, true},
		{"over twelve hours", roleA, MaxCredentialLifetime + time.Second, false},
		{"zero", roleA, 0, false},
		{"negative", roleA, -time.Hour, false},
		{"not a role", "arn:aws:iam::111122223333:user/alice", time.Hour, false},
		{"wildcard role", "arn:aws:iam::111122223333:role/de*", time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := NewOlder(tt.role, at, tt.longest)
			if !tt.ok {
				if !errors.Is(err, record.ErrInvalid) {
					t.Fatalf("got %+v, %v; want an invalid error", e, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := t0.Add(2 * time.Second)
			if e.Target != TargetOlder || e.Value != "" || len(e.Roles) != 1 || e.Roles[0] != tt.role ||
				!e.IssuedBefore.Equal(want) || !e.ExpiresAt.Equal(want.Add(tt.longest)) || e.By != SystemActor {
				t.Fatalf("entry %+v", e)
			}
		})
	}
}

// TestNewUnblocked checks the entry an unblock leaves behind: the block's
// label, roles, time and expiry, made by the unblocker; nothing once the
// block's credentials have all expired; and only from a block.
func TestNewUnblocked(t *testing.T) {
	p := params()
	p.ExpiresAt = t0.Add(12 * time.Hour)
	block, err := NewBlock("alice", p)
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(2 * time.Hour)
	u, err := NewUnblocked(block, at, "lead", "arn:aws:iam::111122223333:user/lead")
	if err != nil {
		t.Fatal(err)
	}
	if u.Target != TargetUnblocked || u.Value != "alice" || !u.BlockedAt.Equal(t0) || !u.CreatedAt.Equal(at) ||
		!u.ExpiresAt.Equal(block.ExpiresAt) || u.By != "lead" || u.ID == block.ID || len(u.Roles) != 2 {
		t.Fatalf("unblocked entry %+v", u)
	}
	if _, err := NewUnblocked(block, block.ExpiresAt, "lead", ""); !errors.Is(err, ErrNothingLeft) {
		t.Fatalf("unblock after the expiry: %v, want ErrNothingLeft", err)
	}
	sess, err := NewSession("0123456789abcdef", params())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewUnblocked(sess, at, "lead", ""); !errors.Is(err, record.ErrInvalid) {
		t.Fatalf("unblocked from a session entry: %v", err)
	}
	if _, err := NewUnblocked(block, at, "", ""); !errors.Is(err, record.ErrInvalid) {
		t.Fatalf("unblocked by no one: %v", err)
	}
}
