package e2e

import (
	"context"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/dynamolocal"
)

// BenchmarkExecServerFetch measures warm credential fetches through the
// running `sentinel exec --server` process, as the command's SDK makes
// them: HTTP on loopback, token check, the policy read again, the session
// read (revocation check) and touched in the embedded store, the decision
// logged, the server's cached credentials handed out. It reports the
// median and p99 of the fetches and the server's peak resident memory
// (VmHWM), the figures issue 8 asks for.
func BenchmarkExecServerFetch(b *testing.B) {
	w := newWorld(b)
	w.setPolicy(devPolicy)
	benchServerFetch(b, w.newPerson("alice"))
}

// BenchmarkExecServerFetchDynamoDB is the same with the sessions in
// DynamoDB Local: each fetch reads and touches the session there.
func BenchmarkExecServerFetchDynamoDB(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	inst, err := dynamolocal.Start(ctx)
	if err != nil {
		b.Skipf("DynamoDB Local: %v", err)
	}
	defer inst.Stop()
	w := newWorld(b)
	w.setPolicy(devPolicy)
	newPerson := useDynamoDB(w, inst.Endpoint(), "bench-server")
	initTables(b, newPerson("admin"), "bench-server")
	benchServerFetch(b, newPerson("alice"))
}

func benchServerFetch(b *testing.B, alice *person) {
	s := alice.startServerExec("dev", "--", "sh", "-c", `echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN"; read line; exit 0`)
	uri, token, _ := strings.Cut(s.line(), " ")
	client := &http.Client{Timeout: 10 * time.Second}
	get := func() {
		req, _ := http.NewRequest(http.MethodGet, uri, nil)
		req.Header.Set("Authorization", token)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	get() // the first fetch after the up-front decision
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		get()
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds()), "median-µs")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds()), "p99-µs")
	if kib, ok := peakRSS(s.cmd.Process.Pid); ok {
		b.ReportMetric(float64(kib)/1024, "peak-RSS-MiB")
	}
	s.stdin.Close()
	s.wait()
}

// peakRSS reads a process's peak resident set size in KiB (Linux).
func peakRSS(pid int) (int, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n, err == nil
		}
	}
	return 0, false
}
