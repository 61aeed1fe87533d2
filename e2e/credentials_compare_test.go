package e2e

import (
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
)

// TestWarmCredentialsAgainstBinary compares the warm `sentinel
// credentials` path of this tree with another binary (OLD_SENTINEL, e.g.
// one built from the previous commit), interleaving 150 runs of each on
// one HOME and cache so that the machine's load hits both alike, and logs
// both medians and their ratio. Without OLD_SENTINEL it is skipped.
//
//	OLD_SENTINEL=/path/to/old/sentinel go test ./e2e -run TestWarmCredentialsAgainstBinary -v
func TestWarmCredentialsAgainstBinary(t *testing.T) {
	old := os.Getenv("OLD_SENTINEL")
	if old == "" {
		t.Skip("OLD_SENTINEL not set")
	}
	_, alice := newWorldWithAlice(t, devPolicy)
	run := func(bin string) time.Duration {
		cmd := exec.Command(bin, "credentials", "dev")
		cmd.Env = alice.env()
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v %s", bin, err, out)
		}
		return time.Since(start)
	}
	run(sentinelBin)
	run(sentinelBin)
	run(old)
	var a, b []time.Duration
	for range 150 {
		a = append(a, run(old))
		b = append(b, run(sentinelBin))
	}
	slices.Sort(a)
	slices.Sort(b)
	t.Logf("old median %s, new median %s, ratio %.3f", a[len(a)/2], b[len(b)/2], float64(b[len(b)/2])/float64(a[len(a)/2]))
}
