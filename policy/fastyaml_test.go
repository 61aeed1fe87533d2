package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/sentinel-cli/sentinel/policy/policygen"
)

// sameTree returns where the trees a and b (fastYAML's and yaml.v3's)
// differ, or "" when they do not.
func sameTree(a, b *yaml.Node, at string) string {
	if a.Kind != b.Kind || a.ShortTag() != b.ShortTag() || a.Value != b.Value || a.Style != b.Style ||
		a.Line != b.Line || a.Column != b.Column || len(a.Content) != len(b.Content) || a.Anchor != b.Anchor || a.Alias != nil || b.Alias != nil {
		return fmt.Sprintf("%s: fast {kind %d tag %s value %q style %d at %d:%d, %d children} yaml.v3 {kind %d tag %s value %q style %d at %d:%d, %d children}",
			at, a.Kind, a.ShortTag(), a.Value, a.Style, a.Line, a.Column, len(a.Content), b.Kind, b.ShortTag(), b.Value, b.Style, b.Line, b.Column, len(b.Content))
	}
	if a.Kind == yaml.ScalarNode && a.ShortTag() == "!!int" {
		var x, y any
		if errA, errB := a.Decode(&x), b.Decode(&y); fmt.Sprint(x, errA) != fmt.Sprint(y, errB) {
			return at + ": integers decode differently"
		}
	}
	for i := range a.Content {
		if d := sameTree(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", at, i)); d != "" {
			return d
		}
	}
	return ""
}

// checkFastYAML fails when fastYAML accepts data and yaml.v3 does not
// parse it to the same single-document tree. It reports whether fastYAML
// accepted data.
func checkFastYAML(t *testing.T, data []byte) bool {
	t.Helper()
	root, ok := parseFastYAML(data)
	if !ok {
		return false
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("fastYAML accepted what yaml.v3 refuses (%v):\n%s", err, data)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		t.Fatalf("fastYAML accepted a stream yaml.v3 reads more from (%v):\n%s", err, data)
	}
	if len(doc.Content) != 1 {
		t.Fatalf("yaml.v3 read %d roots:\n%s", len(doc.Content), data)
	}
	if d := sameTree(root, doc.Content[0], ""); d != "" {
		t.Fatalf("trees differ at %s\n%s", d, data)
	}
	// Parse skips the string checks for fastYAML's trees: they must pass.
	var d decoder
	if !d.checkStrings(&doc, "") {
		t.Fatalf("fastYAML accepted a string the checks refuse: %v\n%s", d.issues, data)
	}
	return true
}

// fastYAMLSeeds are policies and fragments in and around the subset.
func fastYAMLSeeds(t testing.TB) [][]byte {
	seeds := [][]byte{
		[]byte(evalPolicy), []byte(approvalsPolicy), []byte(breakglassPolicy), []byte(pinsPolicy), []byte(rolesPolicy), []byte(testsPolicy),
		policygen.Policy(30, 7),
		[]byte("a: b\n"),
		[]byte("a: b c  # x\nd:\n- e\n- {f: g, h: [i, 'j k', \"l\"]}\n"),
		[]byte("a:\n  - name: x\n    y: [1, 2, -3, 0x1f, 1_000, 1e3, .inf, ~, null, true, yes, 'no']\n  - [a:b, c, d e]\n"),
		[]byte("k: a:b\nl: http://x/y#z\nm: '#'\nn: a#b\no: x :y\np: <<\nq: {}\nr: []\n"),
		[]byte("a:\n  b:\n    c: d\n  e: f\ng: h\n"),
		[]byte("'a': 1\n\"b\": 2\nc: 'it''s'\nd: \"x\\ty\"\n"),
		[]byte("a: b\n  c\n"),
		[]byte("a:\n- b\n  c\n"),
		[]byte("a: [b,\n c]\n"),
		[]byte("a: {b: c, d}\n"),
		[]byte("a: [b: c]\n"),
		[]byte("a: [b, ]\n"),
		[]byte("a: [b]#c\n"),
		[]byte("a: &x b\nc: *x\n"),
		[]byte("--- \na: b\n...\n"),
		[]byte("a: !!str 1\n"),
		[]byte("a: |\n  b\n"),
		[]byte("? a\n: b\n"),
		[]byte("a:\n"),
		[]byte("a: b\n b: c\n"),
		[]byte("- a\n- b\n"),
		[]byte("a: {b: {c: [d, {e: f}]}}\n"),
		[]byte("a: [a?b]\n"),
		[]byte("a: x?y\n"),
		[]byte("a:    b   \n\n\n# end\n"),
		[]byte("a:b: c\n"),
		[]byte("a: b: c\n"),
		[]byte("a : b\n"),
		[]byte("a: 'b'c\n"),
		[]byte("a: -1h\n"),
		[]byte("a:\n  -\n    b\n"),
		[]byte("a:\n  - - b\n"),
		[]byte("  a: b\n"),
		[]byte("a: b\n\tc: d\n"),
		[]byte("a: caf\xc3\xa9\n"),
		[]byte("a: b\r\n"),
		[]byte("a: " + strings.Repeat("x", MaxStringSize+1) + "\nb: '" + strings.Repeat("y", MaxStringSize+1) + "'\n"),
		[]byte("a: " + strings.Repeat("x", MaxStringSize) + "\n"),
		[]byte("a: \x7f\n"),
		[]byte("x: " + strings.Repeat("k", 1100) + "\n" + strings.Repeat("k", 1100) + ": v\n"),
	}
	for _, dir := range []string{"../docs/examples"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			seeds = append(seeds, data)
		}
	}
	return seeds
}

// TestFastYAMLAgreesWithYAMLv3 checks the seeds and many mutations of them:
// what fastYAML accepts, yaml.v3 parses to the same tree; and the policies
// of the tests and examples, and generated ones, are in the subset.
func TestFastYAMLAgreesWithYAMLv3(t *testing.T) {
	seeds := fastYAMLSeeds(t)
	for i, s := range seeds {
		accepted := checkFastYAML(t, s)
		if i < 7 && !accepted {
			t.Errorf("seed %d is a plain policy but fastYAML gave up on it", i)
		}
	}
	rng := rand.New(rand.NewPCG(1, 17))
	alphabet := []byte(" \n-:#,[]{}'\"?*&!|>ab1.~")
	accepted := 0
	for range 20000 {
		s := bytes.Clone(seeds[rng.IntN(len(seeds))])
		for range 1 + rng.IntN(4) {
			if len(s) == 0 {
				break
			}
			i := rng.IntN(len(s))
			switch rng.IntN(3) {
			case 0:
				s[i] = alphabet[rng.IntN(len(alphabet))]
			case 1:
				s = append(s[:i], s[i+1:]...)
			case 2:
				s = append(s[:i], append([]byte{alphabet[rng.IntN(len(alphabet))]}, s[i:]...)...)
			}
		}
		if checkFastYAML(t, s) {
			accepted++
		}
	}
	if accepted < 2000 {
		t.Errorf("fastYAML accepted only %d of 20000 mutations; the test exercises too little of it", accepted)
	}
}

// checkParseSame fails when Parse decides data differently with the fast
// reader than with yaml.v3 alone: a different policy, or different issues.
func checkParseSame(t *testing.T, data []byte) {
	t.Helper()
	fast, fastErr := parse(data, "p.yaml", false)
	slow, slowErr := parse(data, "p.yaml", true)
	if (fastErr == nil) != (slowErr == nil) {
		t.Fatalf("fast reader: %v; yaml.v3: %v\n%s", fastErr, slowErr, data)
	}
	if fastErr != nil {
		if a, b := fastErr.Error(), slowErr.Error(); a != b {
			t.Fatalf("issues differ:\nfast reader: %s\nyaml.v3:     %s\n%s", a, b, data)
		}
		return
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("policies differ:\nfast reader: %+v\nyaml.v3:     %+v\n%s", fast, slow, data)
	}
}

// TestParseSameWithEitherReader holds Parse with the fast reader to Parse
// with yaml.v3 alone, policy for policy and issue for issue, over the
// seeds and mutations of them.
func TestParseSameWithEitherReader(t *testing.T) {
	seeds := fastYAMLSeeds(t)
	for _, s := range seeds {
		checkParseSame(t, s)
	}
	rng := rand.New(rand.NewPCG(2, 17))
	alphabet := []byte(" \n-:#,[]{}'\"?*ab1")
	for range 3000 {
		s := bytes.Clone(seeds[rng.IntN(len(seeds))])
		for range 1 + rng.IntN(3) {
			if len(s) == 0 {
				break
			}
			i := rng.IntN(len(s))
			switch rng.IntN(3) {
			case 0:
				s[i] = alphabet[rng.IntN(len(alphabet))]
			case 1:
				s = append(s[:i], s[i+1:]...)
			case 2:
				s = append(s[:i], append([]byte{alphabet[rng.IntN(len(alphabet))]}, s[i:]...)...)
			}
		}
		checkParseSame(t, s)
	}
}

// FuzzFastYAML: whatever fastYAML accepts, yaml.v3 parses to the same tree.
func FuzzFastYAML(f *testing.F) {
	for _, s := range fastYAMLSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFastYAML(t, data)
		checkParseSame(t, data)
	})
}

// TestLazySectionsAreRead pins that a policy in the plain subset has its
// rules: and profiles: read an entry at a time, whether indented or not,
// and decoded as yaml.v3 would.
func TestLazySectionsAreRead(t *testing.T) {
	for _, src := range [][]byte{
		policygen.Policy(50, 20),
		[]byte("version: \"1\"\nprofiles:\n  a: {account: \"111122223333\"}\n  b:\n    account: \"111122223333\"\nrules:\n- name: x\n  effect: allow\n- {name: y, effect: deny}\n# end\n"),
	} {
		d := &decoder{}
		p := d.document(src)
		if len(d.issues) > 0 || p == nil {
			t.Fatalf("issues %v", d.issues)
		}
		if d.fast == nil || len(d.fast.sections) != 2 || !d.fast.allRead() {
			t.Fatalf("the sections were not read lazily:\n%s", src)
		}
		checkParseSame(t, src)
	}
}
