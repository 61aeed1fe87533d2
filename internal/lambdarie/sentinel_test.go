package lambdarie

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sentinel-cli/sentinel/internal/fakests"
	"github.com/sentinel-cli/sentinel/proof"
)

// TestSentinelServesTeamAPIOnLambda: the real sentinel binary as the
// bootstrap of a Lambda function, with a service config, behind a
// function URL: /healthz answers, and a credentials call carrying alice's
// proof (checked against the signature-checking STS stand-in) gets the
// service's AssumeRole credentials for the pinned role, stamped with
// alice's SourceIdentity; a call with a forged proof gets 401.
func TestSentinelServesTeamAPIOnLambda(t *testing.T) {
	ctx, rie, bin := sentinelBootstrap(t)
	const (
		account    = "111122223333"
		serviceKey = "AKIASERVICELAMBDA001"
		serviceARN = "arn:aws:iam::111122223333:user/sentinel-service"
		aliceKey   = "AKIAALICELAMBDA00001"
		devRole    = "arn:aws:iam::111122223333:role/dev"
	)
	sts := fakests.New()
	defer sts.Close()
	sts.AddUserWithSecret(serviceKey, "service-secret-for-tests-only", serviceARN, account)
	sts.AddUserWithSecret(aliceKey, "alice-secret-for-tests-only", "arn:aws:iam::111122223333:user/alice", account)
	sts.AllowRole(devRole, serviceARN)

	dir := t.TempDir()
	policyPath := filepath.Join(dir, "policy.yaml")
	configPath := filepath.Join(dir, "serve.yaml")
	files := map[string]string{
		policyPath: "version: \"1\"\naccounts: [\"" + account + "\"]\nprofiles:\n  dev: {role_arn: \"" + devRole + "\"}\n" +
			"rules:\n  - name: dev\n    effect: allow\n    conditions: {profiles: [dev]}\n",
		configPath: fmt.Sprintf("server_id: team-lambda\npolicy: %s\naccounts: [\"%s\"]\nstore: {backend: local, path: %s}\nlog: {stdout: true}\n"+
			// On Lambda the service refuses an STS endpoint variable
			// unless its config allows it: here it is the stand-in.
			"allow_env: [AWS_ENDPOINT_URL_STS]\n",
			policyPath, account, filepath.Join(dir, "state.db")),
	}
	for path, content := range files {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e, err := Start(ctx, Options{RIE: rie, Bootstrap: bin, Env: []string{
		"SENTINEL_SERVE_CONFIG=" + configPath, "TMPDIR=" + dir, "LAMBDA_TASK_ROOT=" + dir,
		"AWS_ACCESS_KEY_ID=" + serviceKey, "AWS_SECRET_ACCESS_KEY=service-secret-for-tests-only", "AWS_SESSION_TOKEN=",
		"AWS_ENDPOINT_URL_STS=" + sts.URL(), "AWS_REGION=us-east-1", "AWS_MAX_ATTEMPTS=1",
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()

	if resp, err := e.Invoke(ctx, FunctionURLEvent("GET", "/healthz", nil, nil)); err != nil {
		t.Fatal(err)
	} else if h, err := resp.HTTP(); err != nil || h.StatusCode != 200 {
		t.Fatalf("healthz: %+v %v\n%s", h, err, e.Output())
	}

	body := []byte(`{"profile":"dev"}`)
	call := func(secret string) (HTTPResponse, error) {
		hdr, err := proof.Sign(ctx, aws.Credentials{AccessKeyID: aliceKey, SecretAccessKey: secret}, proof.SignParams{
			STSEndpoint: sts.URL(), Region: "us-east-1", ServerID: "team-lambda", Audience: "https://" + FunctionURLDomain,
			RequestHash: proof.RequestHash(http.MethodPost, "/v1/credentials", body), Now: time.Now(),
		})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := e.Invoke(ctx, FunctionURLEvent("POST", "/v1/credentials", http.Header{proof.Header: {hdr}}, body))
		if err != nil {
			t.Fatal(err)
		}
		return resp.HTTP()
	}
	h, err := call("alice-secret-for-tests-only")
	if err != nil || h.StatusCode != 200 {
		t.Fatalf("credentials: %d %s %v\noutput: %s", h.StatusCode, h.Body, err, e.Output())
	}
	var creds struct{ AccessKeyId, SourceIdentity, SessionID string }
	if err := json.Unmarshal([]byte(h.Body), &creds); err != nil || creds.AccessKeyId == "" || creds.SessionID == "" {
		t.Fatalf("credentials body %q: %v", h.Body, err)
	}
	assumed := sts.CallsOf("AssumeRole")
	if len(assumed) != 1 || assumed[0].CallerARN != serviceARN || assumed[0].Params.Get("RoleArn") != devRole || assumed[0].Params.Get("SourceIdentity") != creds.SourceIdentity {
		t.Errorf("AssumeRole calls: %+v", assumed)
	}
	if h, err := call("not-alices-secret"); err != nil || h.StatusCode != 401 {
		t.Errorf("forged proof: %+v %v", h, err)
	}
}
