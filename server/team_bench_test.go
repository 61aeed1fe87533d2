package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sentinel-cli/sentinel/proof"
	"github.com/sentinel-cli/sentinel/server"
)

// BenchmarkTeamWarmCredentials measures credential decisions per second
// from 32 concurrent clients, each resuming its own warm session: every
// call is proof-checked (signed by the client, forwarded by the verifier
// to the STS stand-in, which checks the SigV4 signature), policy-evaluated,
// revocation-checked and touched in the embedded store, and logged. It
// reports decisions/s, the median and p99 latency, and the peak RSS of the
// whole test process (service, clients and STS stand-in together: an upper
// bound for the service).
func BenchmarkTeamWarmCredentials(b *testing.B) {
	benchWarmCredentials(b, teamOptions{}, nil)
}

// BenchmarkTeamWarmCredentialsDynamoDB is the same run with the state in
// DynamoDB Local (no target: it reports the figures beside the embedded
// store's). It also reports the DynamoDB requests per warm decision,
// counted at a loopback proxy in front of DynamoDB Local, in all and
// writes; the bar is one.
func BenchmarkTeamWarmCredentialsDynamoDB(b *testing.B) {
	endpoint := dynamoEndpoint(b)
	setTestEnv(b)
	proxied, calls := countingDynamo(b, endpoint)
	benchWarmCredentials(b, teamOptions{stores: openDynamo(b, proxied, "bench-warm", true)}, calls)
}

// benchWarmCredentials runs the warm-credentials load against a service
// with o's state; calls, when set, counts the store's requests.
func benchWarmCredentials(b *testing.B, o teamOptions, calls *storeCalls) {
	const clients = 32
	verifier := &proof.Verifier{ServerID: "team-test", Region: "us-east-1", Accounts: []string{teamAccount}}
	o.quiet, o.auth = true, server.ProofAuthenticator(verifier)
	tm := newTeam(b, o)
	verifier.STSEndpoint = tm.sts.URL()
	verifier.Audiences = []string{tm.srv.URL}
	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}

	type caller struct {
		keys aws.Credentials
		sid  string
	}
	callers := make([]*caller, clients)
	call := func(c *caller, body string) (int, []byte, error) {
		hdr, err := proof.Sign(context.Background(), c.keys, proof.SignParams{
			STSEndpoint: tm.sts.URL(), Region: "us-east-1", ServerID: "team-test", Audience: tm.srv.URL,
			RequestHash: proof.RequestHash(http.MethodPost, "/v1/credentials", []byte(body)),
		})
		if err != nil {
			return 0, nil, err
		}
		req, err := http.NewRequest(http.MethodPost, tm.srv.URL+"/v1/credentials", strings.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set(proof.Header, hdr)
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		return resp.StatusCode, data, err
	}
	for i := range callers {
		user := fmt.Sprintf("bench%02d", i)
		c := &caller{keys: aws.Credentials{AccessKeyID: fmt.Sprintf("AKIABENCHUSER000%04d", i), SecretAccessKey: "bench-secret-" + user}}
		tm.sts.AddUserWithSecret(c.keys.AccessKeyID, c.keys.SecretAccessKey, arnOf(user), teamAccount)
		// Warm up: open the session, so every measured call resumes it.
		status, body, err := call(c, `{"profile":"dev"}`)
		if err != nil || status != http.StatusOK {
			b.Fatalf("warm-up: %d %s %v", status, body, err)
		}
		at := bytes.Index(body, []byte(`"SessionID":"`))
		if at < 0 || len(body) < at+29 {
			b.Fatalf("no session in %s", body)
		}
		c.sid = string(body[at+13 : at+29])
		callers[i] = c
	}
	assumes := len(tm.sts.CallsOf("AssumeRole"))
	if calls != nil {
		calls.take()
	}

	lat := make([][]time.Duration, clients)
	var next atomic.Int64
	var failed atomic.Int64
	cpu0 := processCPU()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := callers[i]
			body := `{"profile":"dev","session_id":"` + c.sid + `"}`
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				status, _, err := call(c, body)
				lat[i] = append(lat[i], time.Since(t0))
				if err != nil || status != http.StatusOK {
					failed.Add(1)
				}
			}
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d calls failed", n)
	}
	if n := len(tm.sts.CallsOf("AssumeRole")); n != assumes {
		b.Fatalf("warm sessions called AssumeRole %d more times", n-assumes)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "decisions/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
	// CPU time of the whole process (service, clients and the STS
	// stand-in) per decision: steadier than decisions/s on a shared
	// machine, where other work takes the cores.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/decision")
	if calls != nil {
		got := calls.take()
		b.ReportMetric(float64(total(got))/float64(b.N), "store-calls/decision")
		b.ReportMetric(float64(got["GetItem"]+got["Query"]+got["Scan"]+got["BatchGetItem"]+got["TransactGetItems"])/float64(b.N), "store-reads/decision")
	}
}

// peakRSSMiB is the process's peak resident set (VmHWM), or 0 where
// /proc is missing.
func peakRSSMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err == nil {
				return float64(kb) / 1024
			}
		}
	}
	return 0
}
