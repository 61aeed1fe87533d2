package policy

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// FuzzParse feeds the loader arbitrary bytes. It must never panic; it
// must either return a usable policy or a *LoadError with at least one
// issue, each on a real line; and a policy it accepts must evaluate, with
// Explain agreeing with Evaluate. The seed corpus is in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte(evalPolicy))
	f.Add([]byte(approvalsPolicy))
	f.Add([]byte(breakglassPolicy))
	f.Add([]byte(pinsPolicy))
	f.Add([]byte(rolesPolicy))
	f.Add([]byte(testsPolicy))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data, "fuzz.yaml")
		if err != nil {
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("error %T is not a *LoadError: %v", err, err)
			}
			if len(le.Issues) == 0 {
				t.Fatal("LoadError without issues")
			}
			for _, is := range le.Issues {
				if is.Line < 1 || is.Message == "" {
					t.Fatalf("bad issue %+v", is)
				}
			}
			if p != nil {
				t.Fatal("policy returned with an error")
			}
			return
		}
		if len(p.Rules) == 0 {
			t.Fatal("accepted a policy without rules")
		}
		requests := []Request{
			{User: "alice", Profile: "dev", Mode: ModeCLI, Time: time.Date(2025, 3, 30, 2, 30, 0, 0, time.UTC)},
			{User: "bob", ARN: "arn:aws:iam::111122223333:user/bob", Profile: "prod", Mode: ModeServer, Time: time.Date(2025, 6, 7, 3, 0, 0, 0, time.UTC)},
			{User: "alice", ARN: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_A_1/alice", Profile: "dev", Mode: ModeCLI,
				Roles: []string{"arn:aws:iam::111122223333:role/org/jump", "arn:aws:iam::111122223333:role/dev"}, Time: time.Date(2025, 10, 26, 1, 30, 0, 0, time.UTC)},
			{},
		}
		for _, r := range requests {
			d := p.Evaluate(r)
			e := p.Explain(r)
			e.Misses = nil
			if !reflect.DeepEqual(d, e) {
				t.Fatalf("Evaluate %+v != Explain %+v", d, e)
			}
			if d.Allowed && d.Effect != EffectAllow && d.Effect != EffectRequireServer {
				t.Fatalf("allowed with effect %s", d.Effect)
			}
			if !d.WindowEnd.IsZero() && !d.WindowEnd.After(r.Time) {
				t.Fatalf("window end %s is not after the request time %s", d.WindowEnd, r.Time)
			}
			p.NextWindowOpen(d.RuleIndex, r.Time)
			p.ApprovalRuleFor(r.Profile)
			p.BreakglassRuleFor(r.Profile, r.User, r.ARN)
			if err := p.CheckChain(r.Profile, r.Roles, "111122223333"); err != nil && !errors.Is(err, ErrPin) {
				t.Fatalf("CheckChain error %v is not an ErrPin", err)
			}
		}
		_ = p.Summary()
		_ = p.Warnings()
		// The tests: section runs whatever it holds, and Caller and Replay
		// take any ARN.
		for _, r := range p.RunTests(time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)) {
			if r.Passed() != (len(r.Failures) == 0) {
				t.Fatal("Passed disagrees with Failures")
			}
		}
		for _, r := range requests {
			p.Caller(r.ARN)
		}
		p.Replay([]Recorded{{Request: requests[1], Account: "111122223333", Effect: EffectAllow}})
	})
}
