package policy

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/policy/policygen"
)

// benchPolicy builds a policy of n rules, each limited by profile glob,
// users and a time window, so that every rule costs a realistic amount to
// reject. The request built by benchRequest matches rule n-2.
func benchPolicy(b *testing.B, n int) *Policy {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("version: \"1\"\naccounts: [\"111122223333\"]\nrules:\n")
	for i := range n {
		fmt.Fprintf(&sb, `  - name: rule-%d
    effect: allow
    conditions:
      profiles: [team-%d, "team-%d-*"]
      users: [user-%d, "arn:aws:iam::111122223333:user/user-%d"]
      mode: [cli, server]
      time:
        days: [monday, tuesday, wednesday, thursday, friday]
        hours: {start: "08:00", end: "20:00"}
        timezone: Europe/Berlin
    max_duration: 1h
`, i, i, i, i, i)
	}
	p, err := Parse([]byte(sb.String()), "bench.yaml")
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func benchRequest(n int) Request {
	i := n - 2
	return Request{
		User:    fmt.Sprintf("user-%d", i),
		ARN:     fmt.Sprintf("arn:aws:iam::111122223333:user/user-%d", i),
		Profile: fmt.Sprintf("team-%d-eu", i),
		Mode:    ModeCLI,
		Time:    time.Date(2025, 6, 3, 10, 0, 0, 0, time.UTC),
	}
}

func benchmarkEvaluate(b *testing.B, n int) {
	p := benchPolicy(b, n)
	r := benchRequest(n)
	if d := p.Evaluate(r); d.RuleIndex != n-2 {
		b.Fatalf("matched rule %d, want %d", d.RuleIndex, n-2)
	}
	b.ReportAllocs()
	for b.Loop() {
		p.Evaluate(r)
	}
}

func BenchmarkEvaluate10Rules(b *testing.B)   { benchmarkEvaluate(b, 10) }
func BenchmarkEvaluate1000Rules(b *testing.B) { benchmarkEvaluate(b, 1000) }

// BenchmarkParse1000Rules measures loading, which happens once per command.
func BenchmarkParse1000Rules(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("version: \"1\"\nrules:\n")
	for i := range 1000 {
		fmt.Fprintf(&sb, "  - {name: rule-%d, effect: allow, conditions: {profiles: [\"team-%d-*\"], time: {days: [monday], timezone: Europe/Berlin}}}\n", i, i)
	}
	data := []byte(sb.String())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, "bench.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}

// benchmarkEvaluateGenerated evaluates, in a policygen policy of n rules
// and n profiles, the request of user n-2 on its own profile: rule n-2
// decides, after every earlier rule a scan would try.
func benchmarkEvaluateGenerated(b *testing.B, n int) {
	p, err := Parse(policygen.Policy(n, n), "bench.yaml")
	if err != nil {
		b.Fatal(err)
	}
	i := n - 2
	r := Request{
		User:    policygen.User(i),
		ARN:     policygen.UserARN(i),
		Profile: policygen.Profile(i),
		Roles:   []string{policygen.RoleARN(i)},
		Mode:    ModeCredentialProcess,
		Time:    time.Date(2025, 6, 3, 10, 0, 0, 0, time.UTC),
	}
	if d := p.Evaluate(r); d.RuleIndex != i || !d.Allowed {
		b.Fatalf("matched rule %d, want %d", d.RuleIndex, i)
	}
	b.ReportAllocs()
	for b.Loop() {
		p.Evaluate(r)
	}
}

// The `make bench` figures for evaluation: 10, 1,000 and 10,000 rules
// (target: 10,000 under 20 µs).
func BenchmarkEvaluate10(b *testing.B)    { benchmarkEvaluateGenerated(b, 10) }
func BenchmarkEvaluate1000(b *testing.B)  { benchmarkEvaluateGenerated(b, 1000) }
func BenchmarkEvaluate10000(b *testing.B) { benchmarkEvaluateGenerated(b, 10000) }

// BenchmarkLoad10000 parses and validates a policygen policy of 10,000
// rules and 10,000 pinned profiles (about 1.8 MB): what every command pays
// to load a team-sized policy.
func BenchmarkLoad10000(b *testing.B) {
	data := policygen.Policy(10000, 10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, "bench.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateScan10000 is BenchmarkEvaluate10000 trying every rule
// in order, as Evaluate did before rules were indexed: the baseline the
// index is measured against in the same run.
func BenchmarkEvaluateScan10000(b *testing.B) {
	p, err := Parse(policygen.Policy(10000, 10000), "bench.yaml")
	if err != nil {
		b.Fatal(err)
	}
	i := 9998
	r := Request{ARN: policygen.UserARN(i), Profile: policygen.Profile(i), Roles: []string{policygen.RoleARN(i)}, Mode: ModeCredentialProcess, Time: time.Date(2025, 6, 3, 10, 0, 0, 0, time.UTC)}
	b.ReportAllocs()
	for b.Loop() {
		p.evaluateAll(&r)
	}
}
