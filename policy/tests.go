package policy

import (
	"strings"
	"time"
)

// TestCase is one entry of the policy file's tests: section: a request
// and the decision the policy's author expects for it. The cases live in
// the policy file itself, so that a change to a rule and the change to
// what it should decide are reviewed in the same diff, and `sentinel
// policy test` checks both in CI. Evaluation ignores the section.
type TestCase struct {
	// Name identifies the case in reports; unique in the section.
	Name string
	// User is who asks: a full ARN, or a bare IAM user name taken as the
	// IAM user of that name in Account.
	User string
	// Account is the account of a bare User (default: the first of the
	// policy's accounts:). With an ARN it must equal the ARN's account.
	Account string
	// Profile is the AWS profile asked for.
	Profile string
	// Roles are the role ARNs the chain assumes, base to target (default:
	// the profile's pinned role, if the policy pins it to one).
	Roles []string
	// Mode is how credentials are asked for (default cli).
	Mode Mode
	// Time is when the request is made; zero means "when the test runs".
	Time time.Time
	// Effect is the expected effect of the decision.
	Effect Effect
	// Rule is the expected rule's name; "" does not check the rule.
	Rule string
	// DefaultDeny expects that no rule matches at all.
	DefaultDeny bool
	// Line is where the case starts in the file.
	Line int
}

// TestResult is the outcome of one TestCase.
type TestResult struct {
	// Case is the case that ran.
	Case TestCase
	// Request is the request the case describes, as evaluated.
	Request Request
	// Decision is the policy's decision, explained (Misses filled).
	Decision Decision
	// PinError is set when the profiles: section refuses the case's
	// chain: the broker refuses such a request before the rules are
	// asked, so the effective effect is deny.
	PinError error
	// Failures say how the outcome differs from the expectation; empty
	// when the case passed.
	Failures []string
}

// Passed reports whether the case got what it expected.
func (r TestResult) Passed() bool { return len(r.Failures) == 0 }

// Tests returns the cases of the policy file's tests: section, in file
// order.
func (p *Policy) Tests() []TestCase {
	if p == nil {
		return nil
	}
	return p.tests
}

// RunTests evaluates every case of the tests: section; now is the time of
// cases that give none.
func (p *Policy) RunTests(now time.Time) []TestResult {
	out := make([]TestResult, 0, len(p.Tests()))
	for _, tc := range p.Tests() {
		out = append(out, p.runTest(tc, now))
	}
	return out
}

func (p *Policy) runTest(tc TestCase, now time.Time) TestResult {
	req, account := p.testRequest(tc, now)
	res := TestResult{Case: tc, Request: req, Decision: p.Explain(req)}
	if p.HasPins() {
		res.PinError = p.CheckChain(req.Profile, req.Roles, account)
	}
	effect, rule, index := res.Decision.Effect, res.Decision.Rule, res.Decision.RuleIndex
	if res.PinError != nil {
		effect, rule, index = EffectDeny, "", -1
	}
	if effect != tc.Effect {
		res.Failures = append(res.Failures, "effect is "+string(effect)+", want "+string(tc.Effect))
	}
	switch {
	case tc.DefaultDeny && index >= 0:
		res.Failures = append(res.Failures, "rule "+quote(rule)+" matched, want no rule (default deny)")
	case tc.Rule != "" && rule != tc.Rule:
		got := "no rule matched"
		if index >= 0 {
			got = "rule is " + quote(rule)
		} else if res.PinError != nil {
			got = "the profile pin refused the chain"
		}
		res.Failures = append(res.Failures, got+", want "+quote(tc.Rule))
	}
	return res
}

func quote(s string) string { return `"` + s + `"` }

// testRequest builds the request a case describes, and the caller's
// account for the pin check, the way `sentinel policy check` does: a bare
// user is the IAM user of that name in the case's account.
func (p *Policy) testRequest(tc TestCase, now time.Time) (Request, string) {
	req := Request{Profile: tc.Profile, Mode: tc.Mode, Time: tc.Time, Roles: tc.Roles}
	if req.Mode == "" {
		req.Mode = ModeCLI
	}
	if req.Time.IsZero() {
		req.Time = now
	}
	account := tc.Account
	if strings.HasPrefix(tc.User, "arn:") {
		req.ARN = tc.User
		req.User = arnName(tc.User)
		if a := arnAccount(tc.User); a != "" {
			account = a
		}
	} else {
		if account == "" && len(p.Accounts) > 0 {
			account = p.Accounts[0]
		}
		req.User = tc.User
		req.ARN = "arn:aws:iam::" + account + ":user/" + tc.User
	}
	if len(req.Roles) == 0 {
		if pin, ok := p.Pin(tc.Profile); ok && pin.RoleARN != "" {
			req.Roles = []string{pin.RoleARN}
		}
	}
	return req, account
}

// arnName is the last part of an ARN's resource: the user name, or the
// session name of an assumed role.
func arnName(arn string) string {
	return arn[strings.LastIndexAny(arn, ":/")+1:]
}

// arnAccount is the account field of an ARN, "" when it has none.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}
