package cli

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"

	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/policy/policygen"
)

// compiledSetup writes a policygen policy of n rules to a temporary
// directory and returns its path and a cache directory beside it.
func compiledSetup(t *testing.T, n int) (path, dir string) {
	t.Helper()
	root := t.TempDir()
	path = filepath.Join(root, "policy.yaml")
	if err := os.WriteFile(path, policygen.Policy(n, n), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, filepath.Join(root, "cache", "policy")
}

func noDebug(string, ...any) {}

// TestPolicyCompiledWrittenAndUsed pins the cycle: the first read parses
// in full and writes the compiled form (0600 in a 0700 directory), the
// next reads it, and both decide as the full parse does, with the file's
// hash for the log.
func TestPolicyCompiledWrittenAndUsed(t *testing.T) {
	path, dir := compiledSetup(t, 200)
	profile := policygen.Profile(42)
	full, err := readPolicy(path)
	if err != nil {
		t.Fatal(err)
	}
	first, err := readPolicyFor(path, profile, dir, noDebug)
	if err != nil {
		t.Fatal(err)
	}
	if first.Profile() != "" {
		t.Fatal("first read came from a compiled form that did not exist")
	}
	file := compiledPolicyFile(dir, path)
	for p, want := range map[string]os.FileMode{file: 0o600, dir: 0o700} {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode().Perm(), want)
		}
	}
	second, err := readPolicyFor(path, profile, dir, noDebug)
	if err != nil {
		t.Fatal(err)
	}
	if second.Profile() != profile {
		t.Fatal("second read did not use the compiled form")
	}
	if second.SHA256 != full.SHA256 || second.Path != full.Path {
		t.Fatalf("compiled read names %s %s, want %s %s", second.Path, second.SHA256, full.Path, full.SHA256)
	}
	req := policy.Request{ARN: policygen.UserARN(42), Profile: profile, Mode: policy.ModeCLI}
	if g, w := second.Evaluate(req), full.Evaluate(req); !reflect.DeepEqual(g, w) {
		t.Fatalf("compiled decision %+v, want %+v", g, w)
	}
	if g, w := first.Evaluate(req), full.Evaluate(req); !reflect.DeepEqual(g, w) {
		t.Fatalf("first decision %+v, want %+v", g, w)
	}
}

// TestPolicyCompiledTamperedIgnored pins that an edited compiled form (a
// body byte flipped, another policy's, truncated, a link in its place) is
// ignored: the policy is parsed in full, decides the same, and the form is
// written again.
func TestPolicyCompiledTamperedIgnored(t *testing.T) {
	path, dir := compiledSetup(t, 100)
	otherPath, otherDir := compiledSetup(t, 101)
	profile := policygen.Profile(7)
	if _, err := readPolicyFor(path, profile, dir, noDebug); err != nil {
		t.Fatal(err)
	}
	if _, err := readPolicyFor(otherPath, profile, otherDir, noDebug); err != nil {
		t.Fatal(err)
	}
	file := compiledPolicyFile(dir, path)
	good, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(compiledPolicyFile(otherDir, otherPath))
	if err != nil {
		t.Fatal(err)
	}
	// A byte of the body's first chunk, which every lookup reads: the
	// body follows the 80-byte header, the chunk count and a hash per chunk.
	flipped := append([]byte(nil), good...)
	flipped[84+32*int(binary.LittleEndian.Uint32(good[80:84]))+2] ^= 0x40
	full, err := readPolicy(path)
	if err != nil {
		t.Fatal(err)
	}
	req := policy.Request{ARN: policygen.UserARN(7), Profile: profile, Mode: policy.ModeCLI}
	for name, plant := range map[string]func() error{
		"body byte flipped":     func() error { return os.WriteFile(file, flipped, 0o600) },
		"another policy's form": func() error { return os.WriteFile(file, other, 0o600) },
		"truncated":             func() error { return os.WriteFile(file, good[:len(good)/2], 0o600) },
		"empty":                 func() error { return os.WriteFile(file, nil, 0o600) },
		"symlink to the form": func() error {
			real := filepath.Join(t.TempDir(), "real")
			if err := os.WriteFile(real, good, 0o600); err != nil {
				return err
			}
			return os.Symlink(real, file)
		},
	} {
		_ = os.Remove(file)
		if err := plant(); err != nil {
			t.Fatal(err)
		}
		p, err := readPolicyFor(path, profile, dir, noDebug)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.Profile() != "" {
			t.Fatalf("%s: the planted form was used", name)
		}
		if g, w := p.Evaluate(req), full.Evaluate(req); !reflect.DeepEqual(g, w) || p.SHA256 != full.SHA256 {
			t.Fatalf("%s: decision %+v (%s), want %+v (%s)", name, g, p.SHA256, w, full.SHA256)
		}
		fi, err := os.Lstat(file)
		if err != nil || !fi.Mode().IsRegular() {
			t.Fatalf("%s: form not written again (%v)", name, err)
		}
		if got, _ := os.ReadFile(file); !bytes.Equal(got, good) {
			t.Fatalf("%s: the form written again differs from the first", name)
		}
	}
}

// TestPolicyCompiledEditedPolicy pins that editing the policy makes the old
// form unusable at once, and that a policy with errors is reported as ever
// and gets no compiled form.
func TestPolicyCompiledEditedPolicy(t *testing.T) {
	path, dir := compiledSetup(t, 50)
	profile := policygen.Profile(3)
	if _, err := readPolicyFor(path, profile, dir, noDebug); err != nil {
		t.Fatal(err)
	}
	// Deny the profile outright, ahead of every rule.
	data, _ := os.ReadFile(path)
	edited := bytes.Replace(data, []byte("rules:\n"), []byte("rules:\n  - {name: stop, effect: deny, conditions: {profiles: ["+profile+"]}}\n"), 1)
	if err := os.WriteFile(path, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := readPolicyFor(path, profile, dir, noDebug)
	if err != nil {
		t.Fatal(err)
	}
	d := p.Evaluate(policy.Request{ARN: policygen.UserARN(3), Profile: profile, Mode: policy.ModeCLI})
	if d.Allowed || d.Rule != "stop" || p.Profile() != "" {
		t.Fatalf("after the edit: %+v (compiled for %q)", d, p.Profile())
	}
	if p, err := readPolicyFor(path, profile, dir, noDebug); err != nil || p.Profile() != profile {
		t.Fatalf("form of the edited policy not used: %v", err)
	}

	broken := bytes.Replace(edited, []byte("effect: deny"), []byte("effect: dney"), 1)
	if err := os.WriteFile(path, broken, 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(compiledPolicyFile(dir, path))
	_, err = readPolicyFor(path, profile, dir, noDebug)
	var le *policy.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("broken policy: %v, want a *policy.LoadError", err)
	}
	if after, _ := os.ReadFile(compiledPolicyFile(dir, path)); !bytes.Equal(before, after) {
		t.Fatal("a policy with errors got a compiled form")
	}
}

// TestPolicyCompiledWritersRace has several processes write the compiled
// form at once while others read it: every read decides as the full parse
// does, and the form left is whole and used.
func TestPolicyCompiledWritersRace(t *testing.T) {
	if os.Getenv("SENTINEL_COMPILED_RACE_CHILD") != "" {
		return
	}
	path, dir := compiledSetup(t, 300)
	full, err := readPolicy(path)
	if err != nil {
		t.Fatal(err)
	}
	// Processes: each child runs TestPolicyCompiledRaceChild.
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run", "^TestPolicyCompiledRaceChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), "SENTINEL_COMPILED_RACE_CHILD="+strconv.Itoa(i), "RACE_POLICY="+path, "RACE_DIR="+dir)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- errors.New(string(out))
			}
		}()
	}
	// And goroutines of this process.
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if err := raceRead(path, dir, policygen.Profile(i*7)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	p, err := readPolicyFor(path, policygen.Profile(1), dir, noDebug)
	if err != nil || p.Profile() == "" || p.SHA256 != full.SHA256 {
		t.Fatalf("form left after the race not used: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
	if len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// TestPolicyCompiledRaceChild is one process of TestPolicyCompiledWritersRace:
// it removes the form (so that it is written again) and reads, in a loop.
func TestPolicyCompiledRaceChild(t *testing.T) {
	if os.Getenv("SENTINEL_COMPILED_RACE_CHILD") == "" {
		t.Skip("run by TestPolicyCompiledWritersRace")
	}
	path, dir := os.Getenv("RACE_POLICY"), os.Getenv("RACE_DIR")
	for i := range 10 {
		if i%3 == 0 {
			_ = os.Remove(compiledPolicyFile(dir, path))
		}
		if err := raceRead(path, dir, policygen.Profile(i)); err != nil {
			t.Fatal(err)
		}
	}
}

// raceRead reads the policy for profile and checks its decision against
// the full parse.
func raceRead(path, dir, profile string) error {
	full, err := readPolicy(path)
	if err != nil {
		return err
	}
	p, err := readPolicyFor(path, profile, dir, noDebug)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(profile[len(profile)-5:])
	req := policy.Request{ARN: policygen.UserARN(n), Profile: profile, Mode: policy.ModeCLI}
	if g, w := p.Evaluate(req), full.Evaluate(req); !reflect.DeepEqual(g, w) {
		return errors.New("decision differs during the race for " + profile)
	}
	return nil
}
