package policy

import (
	"fmt"
	"strings"
	"testing"
	"time"
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
