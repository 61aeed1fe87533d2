package broker_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/store/local"
)

// BenchmarkServerWarmRefresh measures one warm server-mode refresh as the
// credential server runs it: policy evaluated, the session read (the
// revocation check), in-server credentials reused, the session touched
// (a bbolt write with fsync) and the decision logged, against the
// embedded store. It reports the median and p99 of the refreshes, the
// figures the issue asks for, besides Go's mean ns/op.
func BenchmarkServerWarmRefresh(b *testing.B) {
	f := newFixture(b, basePolicy)
	br := f.broker()
	br.Now = nil // real time: the fixture's clock would stand still
	f.sts.SetNow(time.Now)
	shared, err := local.Open(f.store, local.Options{PerOperation: true})
	if err != nil {
		b.Fatal(err)
	}
	defer shared.Close()
	br.OpenStores = func(context.Context, broker.Signer) (broker.Stores, error) { return nopClose{shared}, nil }
	s := &broker.ServerSession{}
	in := broker.Input{Profile: "dev", Mode: policy.ModeServer, Server: s}
	if _, err := br.Issue(context.Background(), in); err != nil { // cold: opens the session, calls STS
		b.Fatal(err)
	}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		g, err := br.Issue(context.Background(), in)
		if err != nil {
			b.Fatal(err)
		}
		if !g.Cached {
			b.Fatal("a warm refresh went to STS")
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds()), "median-µs")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds()), "p99-µs")
}
