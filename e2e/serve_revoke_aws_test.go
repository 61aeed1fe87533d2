package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/sentinel-cli/sentinel/internal/fakeiam"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/revocation"
	"github.com/sentinel-cli/sentinel/store/dynamodb"
	"github.com/sentinel-cli/sentinel/vault"
)

const (
	devRole     = "arn:aws:iam::111122223333:role/dev"
	prodRole    = "arn:aws:iam::111122223333:role/prod"
	revokerRole = "arn:aws:iam::111122223333:role/sentinel-revoker"
)

// awsWorld is a serve world with revoke_in_aws on, IAM stood in by
// fakeiam sharing the STS stand-in's keys, and the service writing the
// policies as the account's revoker role.
type awsWorld struct {
	*serveWorld
	iam *fakeiam.Server
}

func newAWSWorld(t testing.TB, store string) *awsWorld {
	t.Helper()
	w := newServeWorld(t)
	im := fakeiam.New(w.sts)
	t.Cleanup(im.Close)
	im.AddRole(devRole)
	im.AddRole(prodRole)
	im.AddRole(revokerRole)
	if store == "" {
		store = fmt.Sprintf("{backend: local, path: %s}", filepath.Join(w.dir, "state.db"))
	}
	w.writeConfig(fmt.Sprintf(`server_id: team-e2e
policy: %s
accounts: ["111122223333"]
store: %s
log: {file: %s, stdout: true}
revoke_in_aws:
  enabled: true
  revokers: {"111122223333": %s}
`, filepath.Join(w.dir, "policy.yaml"), store, filepath.Join(w.dir, "decisions.jsonl"), revokerRole))
	w.extraEnv = append(w.extraEnv, "AWS_ENDPOINT_URL_IAM="+im.URL())
	return &awsWorld{serveWorld: w, iam: im}
}

// creds gets credentials of profile for user in a new session: the
// access key and the session ID.
func (w *awsWorld) creds(user, profile string) (key, sessionID string) {
	w.t.Helper()
	code, doc := w.call(user, http.MethodPost, "/v1/credentials", `{"profile":"`+profile+`"}`)
	if code != http.StatusOK {
		w.t.Fatalf("credentials for %s: %d %v", user, code, doc)
	}
	return fmt.Sprint(doc["AccessKeyId"]), fmt.Sprint(doc["SessionID"])
}

func (w *awsWorld) denied(key string) bool {
	w.t.Helper()
	d, err := w.iam.DeniesIssued(key)
	if err != nil {
		w.t.Fatalf("DeniesIssued %s: %v", key, err)
	}
	return d
}

// logHas reports whether the service's log holds an entry of event.
func (w *awsWorld) logHas(event string) bool {
	data, _ := os.ReadFile(filepath.Join(w.dir, "decisions.jsonl"))
	return strings.Contains(string(data), `"event":"`+event+`"`)
}

// Revoking a session through the service denies its credentials in AWS
// at once, and only its credentials.
func TestServeRevokeSessionInAWS(t *testing.T) {
	w := newAWSWorld(t, "")
	w.start()
	k1, s1 := w.creds("alice", "dev")
	k2, _ := w.creds("alice", "dev")
	if w.denied(k1) || w.denied(k2) {
		t.Fatal("denied before any revocation")
	}
	code, doc := w.call("alice", http.MethodPost, "/v1/sessions/"+s1+"/revoke", `{"reason":"laptop stolen"}`)
	if code != http.StatusOK {
		t.Fatalf("revoke: %d %v", code, doc)
	}
	if !w.denied(k1) {
		t.Fatalf("the revoked session's credentials are not denied: %v", w.iam.RolePolicies(devRole))
	}
	if w.denied(k2) {
		t.Fatal("another session's credentials are denied")
	}
	if !w.logHas("session.revoked_in_aws") {
		t.Fatalf("no session.revoked_in_aws in the log")
	}
	// GET /v1/sessions/{id} says since when, on which roles, until when.
	code, got := w.call("alice", http.MethodGet, "/v1/sessions/"+s1, "")
	deny, _ := got["aws_deny"].([]any)
	if code != http.StatusOK || len(deny) != 1 || !strings.Contains(fmt.Sprint(deny[0]), devRole) || !strings.Contains(fmt.Sprint(deny[0]), "until") {
		t.Fatalf("session show: %d %v", code, got)
	}
	for _, c := range w.iam.CallsOf("PutRolePolicy") {
		if c.AccessKeyID == serveKey {
			t.Fatal("the policy was written with the service's own keys, not as the revoker")
		}
	}
}

// Blocking a person denies all their credentials; an unblock lifts it for
// new credentials while those issued before the block stay denied.
func TestServeBlockAndUnblockInAWS(t *testing.T) {
	w := newAWSWorld(t, "")
	w.start()
	ka, _ := w.creds("alice", "dev")
	kb, _ := w.creds("bob", "dev")
	aliceARN := "arn:aws:iam::" + account + ":user/alice"
	code, doc := w.call("bob", http.MethodPost, "/v1/users/block", `{"user_arn":"`+aliceARN+`","reason":"laptop stolen"}`)
	if code != http.StatusOK {
		t.Fatalf("block: %d %v", code, doc)
	}
	if !w.denied(ka) || w.denied(kb) {
		t.Fatalf("after the block: alice denied %v, bob denied %v", w.denied(ka), w.denied(kb))
	}
	if p := w.iam.RolePolicies(prodRole)["SentinelRevocations"]; !strings.Contains(p, "SentinelBlockedPrincipals") {
		t.Fatalf("the block is not on every catalogued role: prod has %q", p)
	}
	if code, doc = w.call("bob", http.MethodPost, "/v1/users/unblock", `{"user_arn":"`+aliceARN+`"}`); code != http.StatusOK {
		t.Fatalf("unblock: %d %v", code, doc)
	}
	if !w.denied(ka) {
		t.Fatal("an unblock brought back credentials issued before the block")
	}
	// Times in the policy are whole seconds, rounded up.
	time.Sleep(1100 * time.Millisecond)
	kn, _ := w.creds("alice", "dev")
	if w.denied(kn) {
		t.Fatalf("alice's new credentials are denied after the unblock: %v", w.iam.RolePolicies(devRole))
	}
}

// Closing a break-glass event denies the credentials issued under it.
func TestServeCloseBreakglassInAWS(t *testing.T) {
	w := newAWSWorld(t, "")
	w.writePolicy(servePolicy + `breakglass:
  - name: prod-bg
    profiles: [prod]
    users: [arn:aws:iam::111122223333:user/alice]
    reason_codes: [incident]
    max_duration: 1h
`)
	w.start()
	code, ev := w.call("alice", http.MethodPost, "/v1/breakglass", `{"profile":"prod","reason_code":"incident","justification":"prod is down right now"}`)
	if code != http.StatusOK {
		t.Fatalf("break-glass: %d %v", code, ev)
	}
	key, _ := w.creds("alice", "prod")
	other, _ := w.creds("bob", "dev")
	id := fmt.Sprint(ev["id"])
	if code, doc := w.call("alice", http.MethodPost, "/v1/breakglass/"+id+"/close", `{"reason":"fixed"}`); code != http.StatusOK {
		t.Fatalf("close: %d %v", code, doc)
	}
	if !w.denied(key) || w.denied(other) {
		t.Fatalf("after the close: break-glass credentials denied %v, others %v (%v)", w.denied(key), w.denied(other), w.iam.RolePolicies(prodRole))
	}
}

// IAM down: the revocation holds in the store, revoke_in_aws.failed is
// logged, the caller is told, and sync-aws repairs it.
func TestServeRevokeInAWSFailureAndSync(t *testing.T) {
	w := newAWSWorld(t, "")
	w.start()
	k1, s1 := w.creds("alice", "dev")
	w.iam.SetFault("PutRolePolicy", 500, "ServiceFailure", 1)
	code, doc := w.call("alice", http.MethodPost, "/v1/sessions/"+s1+"/revoke", `{"reason":"laptop stolen"}`)
	if code != http.StatusBadGateway || doc["code"] != "RevokeInAWSFailed" || !strings.Contains(fmt.Sprint(doc["message"]), "is revoked") {
		t.Fatalf("revoke with IAM down: %d %v", code, doc)
	}
	if !w.logHas("revoke_in_aws.failed") {
		t.Fatal("no revoke_in_aws.failed in the log")
	}
	if w.denied(k1) {
		t.Fatal("denied although the write failed")
	}
	// The revocation holds: the session refreshes no more.
	if code, _ := w.call("alice", http.MethodPost, "/v1/credentials", `{"profile":"dev","session_id":"`+s1+`"}`); code != http.StatusForbidden {
		t.Fatalf("refresh of the revoked session: %d", code)
	}
	if code, doc := w.call("alice", http.MethodPost, "/v1/admin/sync-aws", `{}`); code != http.StatusForbidden {
		t.Fatalf("sync-aws by a non-approver: %d %v", code, doc)
	}
	if code, doc = w.call("bob", http.MethodPost, "/v1/admin/sync-aws", `{}`); code != http.StatusOK {
		t.Fatalf("sync-aws: %d %v", code, doc)
	}
	if !w.denied(k1) {
		t.Fatal("sync-aws did not repair the policy")
	}
}

// Two service instances on one DynamoDB store revoking different sessions
// at the same moment: both IDs end up in the policy (a subtest of
// TestDynamoDB).
func serveTwoInstancesRevokeInAWS(t *testing.T, endpoint string) {
	const prefix = "e2e-revokeaws"
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
	initRevokeTables(t, prefix)
	store := fmt.Sprintf("{backend: dynamodb, region: us-east-1, tables: {requests: %[1]s-requests, breakglass: %[1]s-breakglass, sessions: %[1]s-sessions, revocations: %[1]s-revocations}}", prefix)
	w1 := newAWSWorld(t, store)
	w1.extraEnv = append(w1.extraEnv, "AWS_ENDPOINT_URL_DYNAMODB="+endpoint)
	w1.start()
	// The second instance shares the stand-ins and the tables.
	w2 := &awsWorld{serveWorld: &serveWorld{t: t, sts: w1.sts, dir: w1.dir, config: w1.config, keys: w1.keys, extraEnv: w1.extraEnv}, iam: w1.iam}
	w2.start()
	ka, sa := w1.creds("alice", "dev")
	kb, sb := w2.creds("bob", "dev")
	var wg sync.WaitGroup
	for _, r := range []struct {
		w       *awsWorld
		user, s string
	}{{w1, "alice", sa}, {w2, "bob", sb}} {
		wg.Go(func() {
			code, doc, err := r.w.try(t.Context(), r.user, http.MethodPost, "/v1/sessions/"+r.s+"/revoke", `{"reason":"both at once"}`)
			if err != nil || code != http.StatusOK {
				t.Errorf("revoke %s: %d %v %v", r.s, code, doc, err)
			}
		})
	}
	wg.Wait()
	if !w1.denied(ka) || !w1.denied(kb) {
		t.Fatalf("after two revocations at once: alice denied %v, bob denied %v: %v", w1.denied(ka), w1.denied(kb), w1.iam.RolePolicies(devRole))
	}
	ids := []string{sa, sb}
	sort.Strings(ids)
	if p := w1.iam.RolePolicies(devRole)["SentinelRevocations"]; !strings.Contains(p, ids[0]) || !strings.Contains(p, ids[1]) {
		t.Fatalf("policy %s lacks one of %v", p, ids)
	}

	// Pruning: the binary has no test clock, so the credentials' expiry is
	// brought forward in the store (as if their hour had passed) and
	// sync-aws, at the real now, drops the entries and the policy.
	st, err := dynamodb.New(context.Background(), dynamodb.Options{
		Region: "us-east-1", RequestsTable: prefix + "-requests", BreakglassTable: prefix + "-breakglass",
		SessionsTable: prefix + "-sessions", RevocationsTable: prefix + "-revocations",
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("AKIAFAKEWRITER01", fakeSecret, "")),
	})
	if err != nil {
		t.Fatal(err)
	}
	rs := st.Revocations()
	active, err := rs.List(t.Context(), record.Query[revocation.Status]{Where: []record.Match{{Index: record.StatusIndex, Value: string(revocation.StatusActive)}}})
	if err != nil || len(active) != 2 {
		t.Fatalf("active entries: %d, %v", len(active), err)
	}
	for _, e := range active {
		if _, err := rs.Change(t.Context(), e.ID, func(x *revocation.Entry) error {
			x.ExpiresAt = x.CreatedAt.Add(time.Millisecond)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if code, doc := w2.call("bob", http.MethodPost, "/v1/admin/sync-aws", `{}`); code != http.StatusOK {
		t.Fatalf("sync-aws: %d %v", code, doc)
	}
	if p, ok := w1.iam.RolePolicies(devRole)["SentinelRevocations"]; ok {
		t.Fatalf("the policy outlived its entries: %s", p)
	}
	if w1.denied(ka) || w1.denied(kb) {
		t.Fatal("still denied after pruning")
	}
	for _, e := range active {
		if got, err := rs.Get(t.Context(), e.ID); err != nil || got.Status != revocation.StatusPruned {
			t.Fatalf("entry %s after sync-aws: %+v, %v", e.ID, got, err)
		}
	}
}

// initRevokeTables creates the four tables under prefix in DynamoDB Local
// (AWS_ENDPOINT_URL_DYNAMODB).
func initRevokeTables(t *testing.T, prefix string) {
	t.Helper()
	st, err := dynamodb.New(context.Background(), dynamodb.Options{
		Region: "us-east-1", RequestsTable: prefix + "-requests", BreakglassTable: prefix + "-breakglass",
		SessionsTable: prefix + "-sessions", RevocationsTable: prefix + "-revocations",
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("AKIAFAKEWRITER01", fakeSecret, "")),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.InitTables(context.Background(), false, io.Discard); err != nil {
		t.Fatalf("create the tables: %v", err)
	}
}

// writePolicy replaces the service's policy file.
func (w *serveWorld) writePolicy(yaml string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, "policy.yaml"), []byte(yaml), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// BenchmarkServeRevokeInAWS measures a session revoke through the real
// `sentinel serve`, including the lease, the render and the IAM write to
// the stand-in, and reports the median.
func BenchmarkServeRevokeInAWS(b *testing.B) {
	w := newAWSWorld(b, "")
	w.start()
	var times []time.Duration
	for b.Loop() {
		b.StopTimer()
		_, sid := w.creds("alice", "dev")
		b.StartTimer()
		start := time.Now()
		if code, doc := w.call("alice", http.MethodPost, "/v1/sessions/"+sid+"/revoke", `{"reason":"bench"}`); code != http.StatusOK {
			b.Fatalf("revoke: %d %v", code, doc)
		}
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds()), "median-µs")
}

// At the size limit the service falls back, for that role only, to
// denying every session issued before now, and says so loudly.
func TestServeRevokeInAWSFallbackAtTheSizeLimit(t *testing.T) {
	w := newAWSWorld(t, "")
	w.start()
	// Another inline policy, put by an administrator, takes nearly all of
	// dev's 10,240 characters.
	bob := w.keys["bob"]
	w.iam.AddUser("arn:aws:iam::"+account+":user/bob", bob.AccessKeyID)
	admin, err := vault.NewIAM(vault.Credentials{AccessKeyID: bob.AccessKeyID, SecretAccessKey: bob.SecretAccessKey}, vault.IAMOptions{Endpoint: w.iam.URL(), MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` +
		strings.Repeat("b", 10240-308) + `"}]}`
	if err := admin.PutRolePolicy(t.Context(), "dev", "Big", big); err != nil {
		t.Fatal(err)
	}
	k1, s1 := w.creds("alice", "dev")
	k2, s2 := w.creds("alice", "dev")
	innocent, _ := w.creds("bob", "dev")
	var fallbacks []string
	for _, s := range []string{s1, s2} {
		// The second one no longer fits.
		if code, doc := w.call("alice", http.MethodPost, "/v1/sessions/"+s+"/revoke", `{"reason":"laptop stolen"}`); code != http.StatusOK {
			t.Fatalf("revoke: %d %v", code, doc)
		}
		fallbacks = append(fallbacks, w.lastHeader.Values("Sentinel-Revoke-Fallback")...)
	}
	p := w.iam.RolePolicies(devRole)["SentinelRevocations"]
	if !strings.Contains(p, "SentinelRevokeOlder") {
		t.Fatalf("no fallback on dev: %s", p)
	}
	// The caller's command is told too: the answer names the role.
	if len(fallbacks) != 1 || !strings.HasPrefix(fallbacks[0], devRole+" ") {
		t.Fatalf("the answers' fallback headers: %q", fallbacks)
	}
	for _, k := range []string{k1, k2, innocent} {
		if !w.denied(k) {
			t.Fatalf("the fallback does not deny %s", k)
		}
	}
	if got := w.iam.RolePolicies(prodRole); len(got) != 0 {
		t.Fatalf("the fallback reached another role: %v", got)
	}
	if !strings.Contains(w.stderr.String(), "EVERY session of the role issued before") {
		t.Fatalf("the fallback was not said loudly: %s", w.stderr)
	}
	data, _ := os.ReadFile(filepath.Join(w.dir, "decisions.jsonl"))
	if !strings.Contains(string(data), "fallback: every session of the role issued before") {
		t.Fatal("the log does not record the fallback")
	}
}
