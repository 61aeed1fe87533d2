package fakests

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

// Identities used across the tests. The secret is what the SDK signs with;
// the stand-in never sees it, and the tests check it is recorded nowhere.
const (
	aliceKey     = "AKIAALICEEXAMPLE0001"
	aliceARN     = "arn:aws:iam::111122223333:user/alice"
	bobKey       = "AKIABOBEXAMPLE000001"
	bobARN       = "arn:aws:iam::111122223333:user/bob"
	account      = "111122223333"
	staticSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	roleARN      = "arn:aws:iam::444455556666:role/deploy"
	otherRoleARN = "arn:aws:iam::444455556666:role/admin"
	mfaSerial    = "arn:aws:iam::111122223333:mfa/alice"
	mfaCode      = "123456"
)

// fixedNow is the stand-in's clock in tests that look at expirations.
var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// harness is a started stand-in with alice and bob registered and the
// process environment isolated from any real AWS configuration.
type harness struct {
	t   *testing.T
	srv *Server
}

// newHarness starts a stand-in and points AWS_ENDPOINT_URL_STS at it.
// It uses t.Setenv, so tests using it cannot run in parallel.
func newHarness(t *testing.T) *harness {
	t.Helper()
	srv := New()
	t.Cleanup(srv.Close)
	srv.AddUser(aliceKey, aliceARN, account)
	srv.AddUser(bobKey, bobARN, account)

	dir := t.TempDir()
	t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL())
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "no-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "no-credentials"))
	t.Setenv("HOME", dir)
	t.Setenv("AWS_PROFILE", "")
	return &harness{t: t, srv: srv}
}

// client returns an STS client of the real SDK signing with the given
// credentials, with retries off so that each call is one request.
func (h *harness) client(accessKeyID, sessionToken string) *sts.Client {
	h.t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(accessKeyID, staticSecret, sessionToken)),
		config.WithRegion("us-east-1"),
		config.WithRetryMaxAttempts(1),
	)
	if err != nil {
		h.t.Fatalf("load AWS config: %v", err)
	}
	return sts.NewFromConfig(cfg)
}

// clientFor returns a client signing with credentials the stand-in issued.
func (h *harness) clientFor(c *types.Credentials) *sts.Client {
	h.t.Helper()
	if c == nil {
		h.t.Fatal("no credentials in the response")
	}
	return h.client(aws.ToString(c.AccessKeyId), aws.ToString(c.SessionToken))
}

// alice returns a client signing with alice's long-lived key.
func (h *harness) alice() *sts.Client { return h.client(aliceKey, "") }

// sessionOf returns a client for a fresh GetSessionToken session of the
// long-lived key accessKeyID, with optional MFA.
func (h *harness) sessionOf(accessKeyID, serial, code string) *sts.Client {
	h.t.Helper()
	in := &sts.GetSessionTokenInput{}
	if serial != "" {
		in.SerialNumber, in.TokenCode = aws.String(serial), aws.String(code)
	}
	out, err := h.client(accessKeyID, "").GetSessionToken(context.Background(), in)
	if err != nil {
		h.t.Fatalf("GetSessionToken: %v", err)
	}
	return h.clientFor(out.Credentials)
}

// roleSession returns a client for a session of role assumed by c.
func (h *harness) roleSession(c *sts.Client, role, sourceIdentity string) *sts.Client {
	h.t.Helper()
	in := &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("first")}
	if sourceIdentity != "" {
		in.SourceIdentity = aws.String(sourceIdentity)
	}
	out, err := c.AssumeRole(context.Background(), in)
	if err != nil {
		h.t.Fatalf("AssumeRole %s: %v", role, err)
	}
	return h.clientFor(out.Credentials)
}

// apiErrorOf returns the STS error code and HTTP status of err, failing
// the test when err is not an API error answered by the stand-in.
func apiErrorOf(t *testing.T, err error) (code, message string, status int) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not a smithy.APIError", err, err)
	}
	var respErr *awshttp.ResponseError
	if !errors.As(err, &respErr) {
		t.Fatalf("error %v carries no HTTP response", err)
	}
	return apiErr.ErrorCode(), apiErr.ErrorMessage(), respErr.HTTPStatusCode()
}
