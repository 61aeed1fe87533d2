package policy

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const starterCaller = "arn:aws:iam::111122223333:user/alice"

func role(name string) string { return "arn:aws:iam::111122223333:role/" + name }

func TestLooksLikeProduction(t *testing.T) {
	for name, want := range map[string]bool{
		"prod": true, "prod-eu": true, "production": true, "Production": true, "team-prod": true, "PROD": true, "prodx": true,
		"dev": false, "nonprod": false, "preprod-eu": false, "staging": false, "product-team": true, "my-production": false,
	} {
		if got := LooksLikeProduction(name); got != want {
			t.Errorf("LooksLikeProduction(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestNewStarter: every starter policy loads, its tests pass, it pins
// every profile as given, and its only warning is the placeholder
// approver (when it has an approval rule).
func TestNewStarter(t *testing.T) {
	tests := []struct {
		name     string
		profiles []StarterProfile
		want     []string // substrings of the YAML
		effects  map[string]Effect
		skipped  []string
	}{
		{
			name:     "dev and prod",
			profiles: []StarterProfile{{Name: "prod", RoleARN: role("prod")}, {Name: "dev", RoleARN: role("dev")}},
			want:     []string{"accounts: [\"111122223333\"]", "  dev:\n    role_arn: arn:aws:iam::111122223333:role/dev\n", "approvers: [REPLACE-ME]", "profiles: [prod]\n    approvers"},
			effects:  map[string]Effect{"dev": EffectAllow, "prod": EffectRequireApproval},
		},
		{
			name: "a chain has via",
			profiles: []StarterProfile{
				{Name: "ops", RoleARN: role("ops")},
				{Name: "deep", RoleARN: role("deep"), Via: []string{role("ops"), role("mid")}},
			},
			want:    []string{"  deep:\n    role_arn: arn:aws:iam::111122223333:role/deep\n    via: [arn:aws:iam::111122223333:role/ops, arn:aws:iam::111122223333:role/mid]\n"},
			effects: map[string]Effect{"ops": EffectAllow, "deep": EffectAllow},
		},
		{
			name:     "IAM Identity Center profile",
			profiles: []StarterProfile{{Name: "sso-prod", SSOAccount: "444455556666", SSORoleName: "Admin"}, {Name: "production", RoleARN: role("p")}},
			want:     []string{"  sso-prod:\n    sso_account: \"444455556666\"\n    sso_role_name: Admin\n"},
			effects:  map[string]Effect{"sso-prod": EffectRequireApproval, "production": EffectRequireApproval},
		},
		{
			name:     "awkward names are quoted",
			profiles: []StarterProfile{{Name: "yes", RoleARN: role("a")}, {Name: "123", RoleARN: role("b")}, {Name: "a,b", RoleARN: role("c")}, {Name: "# x", RoleARN: role("d")}, {Name: "team-prod", RoleARN: role("e")}, {Name: "not-in-this-policy", RoleARN: role("f")}},
			effects:  map[string]Effect{"yes": EffectAllow, "123": EffectAllow, "a,b": EffectAllow, "# x": EffectAllow, "team-prod": EffectRequireApproval, "not-in-this-policy": EffectAllow},
		},
		{
			name:     "glob names are left out",
			profiles: []StarterProfile{{Name: "dev*", RoleARN: role("a")}, {Name: "x[1]", RoleARN: role("b")}, {Name: "dev", RoleARN: role("dev")}},
			effects:  map[string]Effect{"dev": EffectAllow},
			skipped:  []string{"dev*", "x[1]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewStarter(StarterInput{Profiles: tt.profiles, Account: "111122223333", CallerARN: starterCaller})
			if err != nil {
				t.Fatal(err)
			}
			src := string(s.YAML)
			for _, want := range tt.want {
				if !strings.Contains(src, want) {
					t.Errorf("starter lacks %q:\n%s", want, src)
				}
			}
			if strings.Join(s.Skipped, ",") != strings.Join(tt.skipped, ",") {
				t.Errorf("skipped %q, want %q", s.Skipped, tt.skipped)
			}
			p, err := Parse(s.YAML, "starter.yaml")
			if err != nil {
				t.Fatalf("starter does not load: %v\n%s", err, src)
			}
			if len(p.Pins) != len(tt.effects) {
				t.Errorf("%d pins, want %d", len(p.Pins), len(tt.effects))
			}
			for _, in := range tt.profiles {
				pin, ok := p.Pins[in.Name]
				if _, want := tt.effects[in.Name]; !want {
					continue
				}
				if !ok || pin.RoleARN != in.RoleARN || strings.Join(pin.Via, ",") != strings.Join(in.Via, ",") || pin.SSOAccount != in.SSOAccount {
					t.Errorf("pin of %s = %+v, want %+v", in.Name, pin, in)
				}
			}
			results := p.RunTests(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
			sso := 0
			for _, in := range tt.profiles {
				if in.RoleARN == "" {
					sso++
				}
			}
			if len(results) != len(tt.effects)-sso+1 {
				t.Errorf("%d tests, want one per profile and one refusal", len(results))
			}
			for _, r := range results {
				if !r.Passed() {
					t.Errorf("generated test fails: %+v\n%s", r, src)
				}
			}
			for name, want := range tt.effects {
				d := p.Evaluate(Request{User: "alice", ARN: starterCaller, Profile: name, Mode: ModeCLI, Time: time.Now()})
				if d.Effect != want {
					t.Errorf("%s: effect %s, want %s", name, d.Effect, want)
				}
			}
			hasApproval := false
			for _, e := range tt.effects {
				hasApproval = hasApproval || e == EffectRequireApproval
			}
			var warnings []string
			for _, w := range p.Warnings() {
				warnings = append(warnings, w.Field+": "+w.Message)
			}
			switch {
			case hasApproval && (len(warnings) != 1 || !strings.Contains(warnings[0], "REPLACE-ME is a placeholder")):
				t.Errorf("warnings %q, want the placeholder only", warnings)
			case !hasApproval && len(warnings) != 0:
				t.Errorf("warnings %q, want none", warnings)
			}
		})
	}
	if _, err := NewStarter(StarterInput{Account: "111122223333", CallerARN: starterCaller}); !errors.Is(err, ErrNoRoleProfiles) {
		t.Errorf("no profiles: err %v", err)
	}
}

// FuzzNewStarter: whatever the profile names of an AWS config, the
// starter policy loads and its tests pass.
func FuzzNewStarter(f *testing.F) {
	for _, s := range []string{"prod", "dev", "a,b", "# x", "yes", "123", "'q'", "\"dq\"", "ü", "- x", "a: b", "{x}"} {
		f.Add(s, "other")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		s, err := NewStarter(StarterInput{Profiles: []StarterProfile{{Name: a, RoleARN: role("a")}, {Name: b, RoleARN: role("b"), Via: []string{role("a")}}}, Account: "111122223333", CallerARN: starterCaller})
		if err != nil || a == b {
			return
		}
		p, err := Parse(s.YAML, "starter.yaml")
		if err != nil {
			t.Fatalf("starter for %q, %q does not load: %v\n%s", a, b, err, s.YAML)
		}
		for _, r := range p.RunTests(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)) {
			if !r.Passed() {
				t.Fatalf("starter test fails for %q, %q: %v", a, b, r.Failures)
			}
		}
	})
}
