package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sentinel-cli/sentinel/proof"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/server"
)

// The service with the real proof check: callers sign GetCallerIdentity
// with their own keys, the verifier forwards it to the STS stand-in,
// which checks the SigV4 signature as STS does, and the ARN it answers is
// the caller. No test header is believed.
func TestTeamWithRealProofs(t *testing.T) {
	var tm *team
	verifier := &proof.Verifier{ServerID: "team-test", Region: "us-east-1", Accounts: []string{teamAccount}}
	tm = newTeam(t, teamOptions{auth: server.ProofAuthenticator(verifier)})
	verifier.STSEndpoint = tm.sts.URL()
	verifier.Audiences = []string{tm.srv.URL}
	keys := map[string]aws.Credentials{}
	for i, user := range []string{"alice", "bob"} {
		c := aws.Credentials{AccessKeyID: "AKIATESTUSER0000000" + string(rune('1'+i)), SecretAccessKey: "test-only-secret-" + user}
		tm.sts.AddUserWithSecret(c.AccessKeyID, c.SecretAccessKey, arnOf(user), teamAccount)
		keys[user] = c
	}
	send := func(user, method, path string, body string, mutate func(*http.Request, string)) answer {
		t.Helper()
		hdr, err := proof.Sign(context.Background(), keys[user], proof.SignParams{
			STSEndpoint: tm.sts.URL(), Region: "us-east-1", ServerID: "team-test", Audience: tm.srv.URL,
			RequestHash: proof.RequestHash(method, path, []byte(body)),
		})
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest(method, tm.srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set(proof.Header, hdr)
		if mutate != nil {
			mutate(req, hdr)
		}
		resp, err := tm.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return answer{status: resp.StatusCode, body: data}
	}

	var who map[string]string
	tm.want(send("alice", http.MethodGet, "/v1/whoami", "", nil), http.StatusOK, "").decode(t, &who)
	if who["arn"] != arnOf("alice") {
		t.Fatalf("whoami %v", who)
	}
	var r request.Request
	tm.want(send("alice", http.MethodPost, "/v1/requests", `{"profile":"prod","justification":"deploy the fix now"}`, nil), http.StatusOK, "").decode(t, &r)
	tm.want(send("alice", http.MethodPost, "/v1/requests/"+r.ID+"/approve", `{}`, nil), http.StatusForbidden, "Forbidden")
	tm.want(send("bob", http.MethodPost, "/v1/requests/"+r.ID+"/approve", `{"comment":"ok"}`, nil), http.StatusOK, "")
	var c creds
	tm.want(send("alice", http.MethodPost, "/v1/credentials", `{"profile":"prod"}`, nil), http.StatusOK, "").decode(t, &c)
	if !strings.HasPrefix(c.SourceIdentity, "sentinel.alice.apr-"+r.ID+".") {
		t.Errorf("SourceIdentity %s", c.SourceIdentity)
	}

	// A proof made for one call does not carry another.
	for _, tc := range []struct {
		name   string
		mutate func(*http.Request, string)
	}{
		{"other body", func(r *http.Request, _ string) {
			r.Body = io.NopCloser(bytes.NewReader([]byte(`{"profile":"dev"}`)))
			r.ContentLength = int64(len(`{"profile":"dev"}`))
		}},
		{"other path", func(r *http.Request, _ string) { r.URL.Path = "/v1/requests" }},
		{"no proof", func(r *http.Request, _ string) { r.Header.Del(proof.Header) }},
		{"two proofs", func(r *http.Request, h string) { r.Header.Add(proof.Header, h) }},
		{"garbage", func(r *http.Request, _ string) { r.Header.Set(proof.Header, "bm90IGEgcHJvb2Y") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm.want(send("alice", http.MethodPost, "/v1/credentials", `{"profile":"prod"}`, tc.mutate), http.StatusUnauthorized, "InvalidProof")
		})
	}
	// Another server's proof.
	hdr, err := proof.Sign(context.Background(), keys["alice"], proof.SignParams{
		STSEndpoint: tm.sts.URL(), Region: "us-east-1", ServerID: "team-other", Audience: tm.srv.URL,
		RequestHash: proof.RequestHash(http.MethodGet, "/v1/whoami", nil), Now: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	tm.want(send("alice", http.MethodGet, "/v1/whoami", "", func(r *http.Request, _ string) { r.Header.Set(proof.Header, hdr) }), http.StatusUnauthorized, "InvalidProof")

	// A proof signed for a look-alike's URL, relayed here.
	hdr, err = proof.Sign(context.Background(), keys["alice"], proof.SignParams{
		STSEndpoint: tm.sts.URL(), Region: "us-east-1", ServerID: "team-test", Audience: "https://team.example.net",
		RequestHash: proof.RequestHash(http.MethodGet, "/v1/whoami", nil), Now: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	tm.want(send("alice", http.MethodGet, "/v1/whoami", "", func(r *http.Request, _ string) { r.Header.Set(proof.Header, hdr) }), http.StatusUnauthorized, "InvalidProof")

	// STS down: 503, not 401.
	tm.sts.SetFault("GetCallerIdentity", 503, "ServiceUnavailable", "down")
	tm.want(send("alice", http.MethodGet, "/v1/whoami", "", nil), http.StatusServiceUnavailable, "Unavailable")
}
