package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/sentinel-cli/sentinel/proof"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/store/dynamodb"
	"github.com/sentinel-cli/sentinel/store/local"
)

// try is call without t.Fatal, for goroutines: it signs a proof as user
// and sends the call.
func (w *serveWorld) try(ctx context.Context, user, method, path, body string) (int, map[string]any, error) {
	hdr, err := proof.Sign(ctx, w.keys[user], proof.SignParams{
		STSEndpoint: w.sts.URL(), Region: "us-east-1", ServerID: "team-e2e", Audience: w.url,
		RequestHash: proof.RequestHash(method, path, []byte(body)),
	})
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, w.url+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set(proof.Header, hdr)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("answer %q: %w", data, err)
	}
	return resp.StatusCode, doc, nil
}

// raceClients is how many clients race the block.
const raceClients = 32

// A block wins the race through the real `sentinel serve`: 32 clients
// with alice's keys create and refresh sessions while bob blocks her.
// Afterwards no session of hers is active, no call sent after the block
// call returned got a 200, and STS issued nothing once the calls sent
// before it had been answered, while the clients kept asking.
func TestServeBlockWinsTheRace(t *testing.T) {
	w := newServeWorld(t)
	w.start()
	serveBlockRace(t, w, func() session.Store {
		st, err := local.Open(filepath.Join(w.dir, "state.db"), local.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st.Sessions()
	})
}

// serveBlockOnDynamoDB runs the race with the service's state in DynamoDB
// Local, in tables of its own.
func serveBlockOnDynamoDB(t *testing.T, endpoint string) {
	const prefix = "e2e-serveblock"
	open := sessionsDynamoDB(endpoint, prefix)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
	st, err := dynamodb.New(context.Background(), dynamodb.Options{
		Region: "us-east-1", RequestsTable: prefix + "-requests", BreakglassTable: prefix + "-breakglass", SessionsTable: prefix + "-sessions",
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("AKIAFAKEWRITER01", fakeSecret, "")),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.InitTables(context.Background(), false, io.Discard); err != nil {
		t.Fatalf("create the tables: %v", err)
	}
	w := newServeWorld(t)
	w.writeConfig(fmt.Sprintf(`server_id: team-e2e
policy: %s
accounts: ["111122223333"]
store: {backend: dynamodb, region: us-east-1, tables: {requests: %s-requests, breakglass: %s-breakglass, sessions: %s-sessions}}
log: {file: %s, stdout: true}
`, filepath.Join(w.dir, "policy.yaml"), prefix, prefix, prefix, filepath.Join(w.dir, "decisions.jsonl")))
	w.extraEnv = []string{"AWS_ENDPOINT_URL_DYNAMODB=" + endpoint}
	w.start()
	serveBlockRace(t, w, func() session.Store {
		s, done := open(t)
		t.Cleanup(done)
		return s
	})
}

// serveBlockRace races 32 clients of alice against bob's block of her on
// the running service w; sessions opens the service's session store once
// the service has stopped.
func serveBlockRace(t *testing.T, w *serveWorld, sessions func() session.Store) {
	aliceARN := "arn:aws:iam::" + account + ":user/alice"
	ctx := t.Context()

	var (
		blocked     atomic.Bool // set once the block call returned
		preInFlight atomic.Int64
		okCalls     atomic.Int64
		mu          sync.Mutex
		lateOK      []string
		failures    []string
		wg          sync.WaitGroup
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	for range raceClients {
		wg.Go(func() {
			sid, after := "", 0
			for n := 0; n < 400 && after < 4; n++ {
				body := `{"profile":"dev"}`
				if sid != "" && n%4 != 0 {
					body = `{"profile":"dev","session_id":"` + sid + `"}`
				}
				post := blocked.Load()
				if post {
					after++
				} else {
					preInFlight.Add(1)
				}
				code, doc, err := w.try(ctx, "alice", http.MethodPost, "/v1/credentials", body)
				if !post {
					preInFlight.Add(-1)
				}
				switch {
				case err != nil:
					fail("credentials: %v", err)
					return
				case code == http.StatusOK && post:
					mu.Lock()
					lateOK = append(lateOK, fmt.Sprint(doc["SessionID"]))
					mu.Unlock()
				case code == http.StatusOK:
					okCalls.Add(1)
					sid, _ = doc["SessionID"].(string)
				case code == http.StatusForbidden:
					sid = ""
				default:
					fail("credentials: %d %v", code, doc)
					return
				}
			}
		})
	}
	for okCalls.Load() < 2*raceClients && len(failures) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	code, doc := w.call("bob", http.MethodPost, "/v1/users/block", `{"user_arn":"`+aliceARN+`","reason":"laptop stolen"}`)
	blocked.Store(true)
	if code != http.StatusOK {
		t.Fatalf("block: %d %v", code, doc)
	}
	// Wait for the calls sent before the block returned, then count what
	// STS issued; the clients are still asking.
	for preInFlight.Load() > 0 {
		time.Sleep(time.Millisecond)
	}
	issuedAtBlock := len(w.sts.CallsOf("AssumeRole"))
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	if len(lateOK) > 0 {
		t.Errorf("%d calls sent after the block returned got a 200, e.g. session %s", len(lateOK), lateOK[0])
	}
	if issued := len(w.sts.CallsOf("AssumeRole")); issued != issuedAtBlock {
		t.Errorf("STS issued %d credentials after the block returned", issued-issuedAtBlock)
	}
	revoked, _ := doc["revoked"].([]any)
	t.Logf("%d calls got credentials before the block; the block revoked %d sessions; STS issued %d in all", okCalls.Load(), len(revoked), issuedAtBlock)

	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := w.cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v: %s", err, w.stderr)
	}
	active, err := sessions().List(context.Background(), session.Query{UserARN: aliceARN, Status: session.StatusActive}.Record(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 0 {
		t.Errorf("%d of alice's sessions are still active after the block", len(active))
	}
}
