package policy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/policy/policygen"
)

// compiledExtras are the sections genCompiledCase adds to a generated rule
// set: pins (exact names, among them one no rule names), approval rules and
// break-glass rules over overlapping patterns, and a tests: section, which
// a compiled form leaves out.
func compiledExtras(c *choices) (head, tail string) {
	var sb strings.Builder
	if c.n(4) > 0 {
		sb.WriteString("profiles:\n")
		for _, name := range []string{"a", "ab", "abc", "abcd", "b", "x"} {
			if c.n(3) == 0 {
				continue
			}
			fmt.Fprintf(&sb, "  %s:\n    role_arn: arn:aws:iam::111122223333:role/%s\n", name, name)
			if c.n(2) == 0 {
				sb.WriteString("    max_duration: 1h\n")
			}
		}
		sb.WriteString("\n# between sections\n")
	}
	head = sb.String()
	sb.Reset()
	if c.n(3) > 0 {
		sb.WriteString("approvals:\n")
		for i := range 1 + c.n(4) {
			fmt.Fprintf(&sb, "  - name: ap%d\n    profiles: [\"%s\"]\n    approvers: [u%d]\n", i, indexProfiles[c.n(len(indexProfiles))], c.n(3))
			if c.n(2) == 0 {
				sb.WriteString("    auto_approve:\n      users: [u1]\n      time: {days: [monday], timezone: Europe/Berlin}\n")
			}
		}
	}
	if c.n(3) > 0 {
		sb.WriteString("breakglass:\n")
		for i := range 1 + c.n(4) {
			fmt.Fprintf(&sb, "  - name: bg%d\n    profiles: [\"%s\"]\n    users: [u%d]\n", i, indexProfiles[c.n(len(indexProfiles))], c.n(3))
		}
	}
	if c.n(2) == 0 {
		sb.WriteString("tests:\n  - {name: t, user: u0, profile: a, expect: deny}\n")
	}
	return head, sb.String()
}

// genCompiledCase is genIndexCase with the other sections around its rules.
func genCompiledCase(c *choices) (string, []Request) {
	src, reqs := genIndexCase(c)
	head, tail := compiledExtras(c)
	i := strings.Index(src, "rules:\n")
	return src[:i] + head + src[i:] + tail, reqs
}

// checkCompiled holds what ParseCompiled reads for each request's profile
// to what Parse reads from the whole file: the decision (rule position,
// window and offset included), the pin and chain check, the approval and
// break-glass rules, the window's next opening.
func checkCompiled(t *testing.T, src string, reqs []Request) (views int) {
	t.Helper()
	data := []byte(src)
	full, err := Parse(data, "p.yaml")
	if err != nil {
		if strings.Contains(err.Error(), "tests[") {
			return 0 // a generated test case that does not hold
		}
		t.Fatalf("generated policy does not load: %v\n%s", err, src)
	}
	compiled, err := Compile(full, data)
	if err != nil {
		t.Fatalf("Compile: %v\n%s", err, src)
	}
	for _, r := range reqs {
		view, err := parseCompiledBytes(bytes.NewReader(data), "p.yaml", r.Profile, compiled)
		if err != nil {
			t.Fatalf("parseCompiledBytes(%q): %v\n%s", r.Profile, err, src)
		}
		if view.SHA256 != full.SHA256 || view.Path != full.Path {
			t.Fatalf("view identity %s %s, want %s %s", view.Path, view.SHA256, full.Path, full.SHA256)
		}
		got, want := view.Evaluate(r), full.Evaluate(r)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("profile %q mode %s at %s by %s:\ncompiled %+v\nfull     %+v\npolicy:\n%s", r.Profile, r.Mode, r.Time, r.ARN, got, want, src)
		}
		if got.RuleIndex >= 0 {
			if g, w := view.NextWindowOpen(got.RuleIndex, r.Time), full.NextWindowOpen(want.RuleIndex, r.Time); !g.Equal(w) {
				t.Fatalf("NextWindowOpen %s, want %s", g, w)
			}
			if view.Rules[slicesIndex(view, got.RuleIndex)].Line != full.Rules[want.RuleIndex].Line {
				t.Fatal("rule line differs")
			}
		}
		gp, gok := view.Pin(r.Profile)
		wp, wok := full.Pin(r.Profile)
		if gok != wok || !reflect.DeepEqual(gp, wp) || view.HasPins() != full.HasPins() {
			t.Fatalf("Pin(%q) = %+v %v, want %+v %v", r.Profile, gp, gok, wp, wok)
		}
		roles := []string{"arn:aws:iam::111122223333:role/" + r.Profile}
		if g, w := fmt.Sprint(view.CheckChain(r.Profile, roles, "111122223333")), fmt.Sprint(full.CheckChain(r.Profile, roles, "111122223333")); g != w {
			t.Fatalf("CheckChain %s, want %s", g, w)
		}
		ga, gok := view.ApprovalRuleFor(r.Profile)
		wa, wok := full.ApprovalRuleFor(r.Profile)
		if gok != wok || (gok && (ga.Name != wa.Name || ga.Line != wa.Line || ga.IsApprover("", r.ARN) != wa.IsApprover("", r.ARN) ||
			ga.AutoApproves("", r.ARN, r.Time, time.Hour) != wa.AutoApproves("", r.ARN, r.Time, time.Hour))) {
			t.Fatalf("ApprovalRuleFor(%q) = %v %v, want %v %v", r.Profile, ga, gok, wa, wok)
		}
		gb, gok := view.BreakglassRuleFor(r.Profile, "", r.ARN)
		wb, wok := full.BreakglassRuleFor(r.Profile, "", r.ARN)
		if gok != wok || (gok && (gb.Name != wb.Name || gb.Line != wb.Line)) {
			t.Fatalf("BreakglassRuleFor(%q) = %v %v, want %v %v", r.Profile, gb, gok, wb, wok)
		}
		views++
		// Asked about another profile, a view knows nothing.
		other := r
		other.Profile += "-other"
		if d := view.Evaluate(other); d.Allowed || d.RuleIndex != -1 {
			t.Fatalf("view of %q decided for %q: %+v", r.Profile, other.Profile, d)
		}
	}
	return views
}

func slicesIndex(p *Policy, ruleIndex int) int {
	for k, n := range p.view.ruleNums {
		if n == ruleIndex {
			return k
		}
	}
	return -1
}

// TestCompiledAgreesWithParse pins that a policy read through its compiled
// form decides, for the profile it was read for, exactly as the whole file
// does, over many generated policies.
func TestCompiledAgreesWithParse(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 1))
	views := 0
	for range 1500 {
		b := make([]byte, 256)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		src, reqs := genCompiledCase(&choices{b: b})
		views += checkCompiled(t, src, reqs)
	}
	if views < 800 {
		t.Fatalf("only %d requests were read through a compiled form", views)
	}
}

// TestCompiledLargePolicy reads every 97th profile of a 2,000-rule policygen
// policy through the compiled form and compares with the full parse.
func TestCompiledLargePolicy(t *testing.T) {
	data := policygen.Policy(2000, 2000)
	var reqs []Request
	for i := 0; i < 2000; i += 97 {
		for _, u := range []int{i, i + 1} {
			reqs = append(reqs, Request{ARN: policygen.UserARN(u), Profile: policygen.Profile(i), Mode: ModeCLI, Time: time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)})
		}
	}
	if n := checkCompiled(t, string(data), reqs); n != len(reqs) {
		t.Fatalf("%d of %d requests read through the compiled form", n, len(reqs))
	}
}

// TestCompiledRefused pins that a compiled form is used only for the very
// bytes it was made from and only when undamaged.
func TestCompiledRefused(t *testing.T) {
	data := policygen.Policy(50, 50)
	other := policygen.Policy(51, 51)
	p, err := Parse(data, "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compile(p, data)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse(other, "q.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cOther, err := Compile(q, other)
	if err != nil {
		t.Fatal(err)
	}
	profile := policygen.Profile(7)
	if _, err := parseCompiledBytes(bytes.NewReader(data), "p.yaml", profile, c); err != nil {
		t.Fatalf("intact compiled form refused: %v", err)
	}
	flip := func(i int) []byte {
		b := append([]byte(nil), c...)
		b[i] ^= 0x01
		return b
	}
	edited := append([]byte(nil), data...)
	edited[len(edited)-3] = 'X' // a rule's user name, the file still valid
	for name, tc := range map[string]struct {
		data, compiled []byte
	}{
		"body byte flipped":           {data, flip(len(c) - 5)},
		"first body byte flipped":     {data, flip(bodyStart(c))},
		"chunk count flipped":         {data, flip(compiledHeaderLen)},
		"chunk hash flipped":          {data, flip(compiledHeaderLen + 4 + 5)},
		"body hash flipped":           {data, flip(16 + 32 + 3)},
		"policy hash flipped":         {data, flip(16 + 3)},
		"magic flipped":               {data, flip(2)},
		"another policy's form":       {data, cOther},
		"policy edited since":         {edited, c},
		"truncated body":              {data, c[:len(c)-1]},
		"truncated header":            {data, c[:compiledHeaderLen-1]},
		"empty":                       {data, nil},
		"header of another, own body": {data, append(append([]byte(nil), cOther[:compiledHeaderLen]...), c[compiledHeaderLen:]...)},
	} {
		if v, err := parseCompiledBytes(bytes.NewReader(tc.data), "p.yaml", profile, tc.compiled); !errors.Is(err, ErrCompiledMismatch) {
			t.Errorf("%s: ParseCompiled = %v, %v; want ErrCompiledMismatch", name, v != nil, err)
		}
	}
	// A name no entry has reads the fallback entry, and decides as the
	// whole policy does: here, only the rule for any profile.
	v, err := parseCompiledBytes(bytes.NewReader(data), "p.yaml", "nobody", c)
	if err != nil {
		t.Fatalf("unknown profile: %v", err)
	}
	if len(v.Rules) != 1 || v.Rules[0].Name != policygen.RuleName(49) {
		t.Fatalf("unknown profile read %d rules, want only the one for any profile", len(v.Rules))
	}
}

// TestCompiledBodyForged pins that a body whose hash is made to match (as
// whoever can write the cache directory could) is still checked as it is
// read: ranges out of the file and lists out of order are refused, not
// followed.
func TestCompiledBodyForged(t *testing.T) {
	data := policygen.Policy(20, 20)
	p, err := Parse(data, "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compile(p, data)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		b := append([]byte(nil), c...)
		for range 1 + rng.IntN(3) {
			start := bodyStart(b)
			b[start+rng.IntN(len(b)-start)] = byte(rng.UintN(256))
		}
		b = rehash(b)
		// Any result is fine but a panic; a view that loads must still
		// be a policy decoded from the file's own entries.
		if v, err := parseCompiledBytes(bytes.NewReader(data), "p.yaml", policygen.Profile(3), b); err == nil && v.SHA256 != p.SHA256 {
			t.Fatal("forged form changed the policy's identity")
		}
	}
}

// TestNotCompilable pins that a layout Compile cannot cut gets no compiled
// form rather than a wrong one.
func TestNotCompilable(t *testing.T) {
	for name, src := range map[string]string{
		"flow rules": "version: \"1\"\nrules: [{name: a, effect: allow}]\n",
		"dash alone": "version: \"1\"\nrules:\n  -\n    name: a\n    effect: allow\n",
		"quoted key": "version: \"1\"\n\"rules\":\n  - {name: a, effect: allow}\n",
	} {
		p, err := Parse([]byte(src), "p.yaml")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := Compile(p, []byte(src)); !errors.Is(err, ErrNotCompilable) {
			t.Errorf("%s: Compile = %v, want ErrNotCompilable", name, err)
		}
	}
}

// FuzzParseCompiled feeds ParseCompiled damaged compiled forms with valid
// hashes: it must refuse or decode, never panic or read outside the file.
func FuzzParseCompiled(f *testing.F) {
	data := policygen.Policy(10, 10)
	p, err := Parse(data, "p.yaml")
	if err != nil {
		f.Fatal(err)
	}
	c, err := Compile(p, data)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(c[bodyStart(c):], policygen.Profile(3))
	f.Fuzz(func(t *testing.T, body []byte, profile string) {
		form := rehash(append(append([]byte(nil), c[:bodyStart(c)]...), body...))
		v, err := parseCompiledBytes(bytes.NewReader(data), "p.yaml", profile, form)
		if err == nil {
			_ = v.Evaluate(Request{Profile: profile})
		}
	})
}

// FuzzCompiledAgreesWithParse is TestCompiledAgreesWithParse on fuzzed
// choices.
func FuzzCompiledAgreesWithParse(f *testing.F) {
	f.Add([]byte{3, 1, 4, 1, 5, 9, 2, 6})
	f.Fuzz(func(t *testing.T, b []byte) {
		src, reqs := genCompiledCase(&choices{b: b})
		checkCompiled(t, src, reqs)
	})
}

// parseCompiledBytes is ParseCompiled of a compiled form in memory.
func parseCompiledBytes(file io.Reader, path, profile string, compiled []byte) (*Policy, error) {
	return ParseCompiled(file, path, profile, bytes.NewReader(compiled), int64(len(compiled)))
}

// bodyStart is where the body of compiled form c starts.
func bodyStart(c []byte) int {
	return compiledHeaderLen + 4 + 32*int(binary.LittleEndian.Uint32(c[compiledHeaderLen:]))
}

// rehash gives a compiled form the chunk hashes and body hash of its body
// (as whoever can write the cache directory could).
func rehash(b []byte) []byte {
	if len(b) < compiledHeaderLen+4 {
		return b
	}
	start := bodyStart(b)
	if start > len(b) {
		return b
	}
	body := b[start:]
	sums := chunkSums(body)
	out := append([]byte(nil), b[:compiledHeaderLen]...)
	sum := SHA256Sum(sums)
	copy(out[magicLen+32:], sum[:])
	out = binary.LittleEndian.AppendUint32(out, uint32(len(sums)/32))
	out = append(out, sums...)
	return append(out, body...)
}

// BenchmarkParseCompiled is the warm path's policy cost for a 10,000-rule,
// 10,000-profile policy: stream and hash the file, read the profile's
// chunks of the compiled form, decode its entries. BenchmarkHashPolicy is
// the hash alone, the floor of any reading that names the file's bytes.
func BenchmarkParseCompiled(b *testing.B) {
	data := policygen.Policy(10000, 10000)
	p, err := Parse(data, "p.yaml")
	if err != nil {
		b.Fatal(err)
	}
	c, err := Compile(p, data)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseCompiledBytes(bytes.NewReader(data), "p.yaml", policygen.Profile(9998), c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHashPolicy(b *testing.B) {
	data := policygen.Policy(10000, 10000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		SHA256Sum(data)
	}
}
