package policy

import (
	"path/filepath"
	"testing"
)

// TestExamplesParse keeps every policy in docs/examples valid.
func TestExamplesParse(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "docs", "examples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("found %d example policies, want policy.yaml and at least one more", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			p, err := Load(f)
			if err != nil {
				t.Fatalf("example does not load:\n%v", err)
			}
			if len(p.Rules) == 0 {
				t.Errorf("no rules")
			}
		})
	}
}

// TestExamplePolicyUsesEveryFeature checks that the main example shows
// what the brief promises: every effect, every condition, approvals with
// auto-approval and break-glass.
func TestExamplePolicyUsesEveryFeature(t *testing.T) {
	p, err := Load(filepath.Join("..", "docs", "examples", "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	effects := map[Effect]bool{}
	var profiles, users, roles, modes, window, overnight, maxDur bool
	for _, r := range p.Rules {
		effects[r.Effect] = true
		profiles = profiles || len(r.Conditions.Profiles) > 0
		users = users || len(r.Conditions.Users) > 0
		roles = roles || len(r.Conditions.Roles) > 0
		modes = modes || len(r.Conditions.Modes) > 0
		if w := r.Conditions.Time; w != nil {
			window = true
			overnight = overnight || w.End < w.Start
		}
		maxDur = maxDur || r.MaxDuration > 0
	}
	if len(effects) != 4 || !profiles || !users || !roles || !modes || !window || !overnight || !maxDur {
		t.Errorf("policy.yaml misses a feature: effects %v profiles %v users %v roles %v modes %v window %v overnight %v max_duration %v",
			effects, profiles, users, roles, modes, window, overnight, maxDur)
	}
	var via, roleless bool
	for _, pin := range p.Pins {
		via = via || len(pin.Via) > 0
		roleless = roleless || pin.RoleARN == ""
	}
	if len(p.Accounts) == 0 || !p.HasPins() || !via || !roleless {
		t.Errorf("policy.yaml needs accounts and profiles: with a via chain and a role-less pin; accounts %v pins %v", p.Accounts, p.Pins)
	}
	auto := false
	for _, a := range p.Approvals {
		auto = auto || a.AutoApprove != nil
	}
	if !auto || len(p.Breakglass) == 0 {
		t.Errorf("policy.yaml needs approvals with auto_approve and breakglass rules")
	}
}
