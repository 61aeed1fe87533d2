package cli

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sentinel-cli/sentinel/config"
	"github.com/sentinel-cli/sentinel/internal/safefile"
	"github.com/sentinel-cli/sentinel/policy"
)

// maxCompiledSize bounds the compiled policy read: a 16 MiB policy's
// compiled form is a fraction of that.
const maxCompiledSize = 64 << 20

// compiledPolicyDir holds compiled policies (policy.Compile), one per
// policy path: the cache directory's "policy".
func compiledPolicyDir() string { return filepath.Join(config.CacheDir(), "policy") }

// compiledPolicyFile is where the compiled form of the policy at path is
// kept. It is named after the path, so that an edit replaces the form
// rather than adding one; which policy bytes a form belongs to is in its
// header, which policy.ParseCompiled checks.
func compiledPolicyFile(dir, path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	sum := sha256.Sum256([]byte(path))
	return filepath.Join(dir, hex.EncodeToString(sum[:16])+".compiled")
}

// readPolicyFor reads the policy for a decision on one profile, the warm
// path of `credentials`, `exec` and `export`. The file is opened as
// readPolicy opens it, and read whole and hashed, so that the log names its
// bytes; but only the part for profile is kept and decoded, as its
// compiled form in dir says (policy.ParseCompiled). A compiled form
// that is missing, another policy's or damaged is ignored: the policy is
// parsed in full (so its errors are reported as ever) and, when valid, its
// compiled form written again. Writing it is best effort: a policy that
// cannot be cached is still read correctly.
func readPolicyFor(path, profile, dir string, debugf func(string, ...any)) (*policy.Policy, error) {
	file := compiledPolicyFile(dir, path)
	p, err := readCompiled(path, profile, file)
	if err == nil {
		debugf("policy %s read for profile %s from %s", path, profile, file)
		return p, nil
	}
	// Whatever went wrong, the full read below opens the policy again and
	// reports its own problems as readPolicy does.
	data, rerr := safefile.ReadFile(path, MaxPolicySize)
	if rerr != nil {
		return nil, fmt.Errorf("read policy: %w", rerr)
	}
	p, perr := policy.Parse(data, path)
	if perr != nil {
		return nil, perr
	}
	debugf("policy %s: compiled form not used (%v); writing it again", path, err)
	c, err := policy.Compile(p, data)
	if err == nil {
		err = writeCompiledPolicy(dir, file, c)
	}
	if err != nil {
		debugf("policy %s: no compiled form: %v", path, err)
	}
	return p, nil
}

// readCompiled reads the policy at path for profile through the compiled
// form in file, opened as every sentinel file is (no link, ours, not
// writable by others); it reads only the chunks of the form the profile
// needs (policy.ParseCompiled).
func readCompiled(path, profile, file string) (*policy.Policy, error) {
	c, err := safefile.Open(file, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	fi, err := c.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxCompiledSize {
		return nil, policy.ErrCompiledMismatch
	}
	f, err := safefile.Open(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return policy.ParseCompiled(f, path, profile, c, fi.Size())
}

// writeCompiledPolicy replaces file atomically: the bytes go to a new file
// (0600, created exclusively and never through a link) in dir (0700,
// checked like every sentinel directory) and are renamed over file, so
// that a reader, another sentinel process included, sees the old form or
// the new one, never part of one. Rename replaces a link planted at file
// rather than following it.
func writeCompiledPolicy(dir, file string, c []byte) error {
	if err := safefile.MkdirAll(dir); err != nil {
		return err
	}
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	tmp := file + "." + hex.EncodeToString(rnd[:]) + ".tmp"
	f, err := safefile.Open(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(c)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, file)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}
