package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sentinel-cli/sentinel/internal/fakests"
	"github.com/sentinel-cli/sentinel/proof"
)

// On Lambda without public_urls, a proof must be signed for the URL the
// event names (https:// + requestContext.domainName, plus the stage's
// path when the call came through one); with public_urls, for one of
// those only. A plain HTTP request never carries an event's audience.
func TestLambdaEventAudience(t *testing.T) {
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	sts := fakests.New()
	defer sts.Close()
	creds := aws.Credentials{AccessKeyID: "AKIALAMBDAAUDIENCE01", SecretAccessKey: "fake-secret-for-lambda-audience-test"}
	sts.AddUserWithSecret(creds.AccessKeyID, creds.SecretAccessKey, "arn:aws:iam::111122223333:user/alice", "111122223333")

	// authOnly answers 200 when the proof is accepted, else the status
	// the team API would send.
	authOnly := func(v *proof.Verifier) http.Handler {
		auth := ProofAuthenticator(v)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			_, err := auth.Authenticate(r.Context(), r, r.URL.EscapedPath(), body)
			switch {
			case err == nil:
				w.WriteHeader(http.StatusOK)
			case errors.Is(err, errAuthConfig):
				w.WriteHeader(http.StatusInternalServerError)
			default:
				w.WriteHeader(http.StatusUnauthorized)
			}
		})
	}
	sign := func(audience string) string {
		h, err := proof.Sign(context.Background(), creds, proof.SignParams{
			STSEndpoint: sts.URL(), Region: "us-east-1", ServerID: "team-test", Audience: audience,
			RequestHash: proof.RequestHash(http.MethodGet, "/v1/whoami", nil),
		})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	urlEv := func(audience string) map[string]any {
		return urlEvent("GET", "/v1/whoami", "", map[string]string{"x-sentinel-proof": sign(audience)}, "", false)
	}
	stageEv := func(audience string) map[string]any {
		ev := apiEvent("prod", "GET", "/prod/v1/whoami", "", "")
		ev["headers"] = map[string]string{"x-sentinel-proof": sign(audience)}
		return ev
	}
	fixed := func(aud ...string) *proof.Verifier {
		return &proof.Verifier{ServerID: "team-test", STSEndpoint: sts.URL(), Region: "us-east-1", Accounts: []string{"111122223333"}, Audiences: aud}
	}
	cases := []struct {
		name   string
		v      *proof.Verifier
		event  map[string]any
		status int
	}{
		{"function URL, its own domain", fixed(), urlEv("https://abcdef.lambda-url.eu-west-1.on.aws"), 200},
		{"function URL, a look-alike", fixed(), urlEv("https://abcdef.lambda-url.eu-west-1.on.aws.example.net"), 401},
		{"function URL, http", fixed(), urlEv("http://abcdef.lambda-url.eu-west-1.on.aws"), 401},
		{"stage, with its path", fixed(), stageEv("https://api.example.com/prod"), 200},
		{"stage, without its path", fixed(), stageEv("https://api.example.com"), 401},
		{"public_urls win over the event", fixed("https://team.example.com"), urlEv("https://abcdef.lambda-url.eu-west-1.on.aws"), 401},
		{"public_urls", fixed("https://team.example.com"), urlEv("https://team.example.com"), 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := invoke(t, authOnly(c.v), LambdaOptions{}, mustJSON(t, c.event))
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
		})
	}

	// Outside Lambda, no audience is implied: the verifier is unusable
	// (500), whatever Host the caller sends.
	req := httptest.NewRequest(http.MethodGet, "/v1/whoami", nil)
	req.Host = "abcdef.lambda-url.eu-west-1.on.aws"
	req.Header.Set(proof.Header, sign("https://abcdef.lambda-url.eu-west-1.on.aws"))
	rec := httptest.NewRecorder()
	authOnly(fixed()).ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("plain request without audiences: %d", rec.Code)
	}
}

// A handler that refuses a call before reading its body closes the
// connection on a plain server; behind Lambda there is no connection of
// its own, and the header is not passed on.
func TestLambdaDropsConnectionHeader(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusUnauthorized)
	})
	resp := invoke(t, h, LambdaOptions{}, mustJSON(t, urlEvent("POST", "/v1/credentials", "", nil, `{"profile":"dev"}`, false)))
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for name := range resp.Headers {
		if name == "connection" {
			t.Fatalf("headers %v", resp.Headers)
		}
	}
}
