package e2e

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkCredentialsWarm measures the warm `sentinel credentials` path
// (credential_process with cached credentials): one process start, one
// keyring read, the policy, the decision log. With a block check under
// five minutes old recorded in the cache entry, it reads no store. It
// reports the median wall time of one run.
func BenchmarkCredentialsWarm(b *testing.B) {
	_, alice := newWorldWithAlice(b, devPolicy)
	alice.mustRun("credentials", "dev")
	alice.mustRun("credentials", "dev")
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		alice.mustRun("credentials", "dev")
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds()), "median-µs")
}
