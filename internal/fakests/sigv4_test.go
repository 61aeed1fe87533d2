package fakests

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// carolKey is a user whose secret the stand-in knows, so her signatures
// are checked.
const (
	carolKey    = "AKIACAROLEXAMPLE0001"
	carolARN    = "arn:aws:iam::111122223333:user/carol"
	carolSecret = "fake/carol/secret/for/tests/only/000000"
)

// signingClient returns an SDK STS client signing with the given secret.
func signingClient(t *testing.T, accessKeyID, secret, token string) *sts.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(accessKeyID, secret, token)),
		config.WithRegion("eu-west-1"),
		config.WithRetryMaxAttempts(1),
	)
	if err != nil {
		t.Fatalf("load AWS config: %v", err)
	}
	return sts.NewFromConfig(cfg)
}

func clientOfCreds(t *testing.T, c *types.Credentials) *sts.Client {
	t.Helper()
	return signingClient(t, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

func TestSignatureCheckedForKnownSecret(t *testing.T) {
	h := newHarness(t)
	h.srv.AddUserWithSecret(carolKey, carolSecret, carolARN, account)
	ctx := context.Background()

	out, err := signingClient(t, carolKey, carolSecret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("good signature refused: %v", err)
	}
	if aws.ToString(out.Arn) != carolARN {
		t.Fatalf("ARN %s", aws.ToString(out.Arn))
	}

	_, err = signingClient(t, carolKey, "wrong-secret", "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if code, _, status := apiErrorOf(t, err); code != "SignatureDoesNotMatch" || status != 403 {
		t.Fatalf("wrong secret: %s %d", code, status)
	}

	_, err = signingClient(t, "AKIAUNKNOWNEXAMPLE01", carolSecret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if code, _, status := apiErrorOf(t, err); code != "InvalidClientTokenId" || status != 403 {
		t.Fatalf("unknown key: %s %d", code, status)
	}

	// Users added without a secret keep working whatever they sign with.
	if _, err := h.alice().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("alice: %v", err)
	}
}

func TestSignatureCheckedForIssuedCredentials(t *testing.T) {
	h := newHarness(t)
	h.srv.AddUserWithSecret(carolKey, carolSecret, carolARN, account)
	ctx := context.Background()
	carol := signingClient(t, carolKey, carolSecret, "")

	st, err := carol.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	session := clientOfCreds(t, st.Credentials)
	if _, err := session.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("session credentials refused: %v", err)
	}
	ar, err := session.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	role := clientOfCreds(t, ar.Credentials)
	if out, err := role.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil || !strings.Contains(aws.ToString(out.Arn), "assumed-role/deploy/s1") {
		t.Fatalf("role session: %v", err)
	}

	forged := signingClient(t, aws.ToString(ar.Credentials.AccessKeyId), carolSecret, aws.ToString(ar.Credentials.SessionToken))
	_, err = forged.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if code, _, status := apiErrorOf(t, err); code != "SignatureDoesNotMatch" || status != 403 {
		t.Fatalf("role session with a wrong secret: %s %d", code, status)
	}
}

func TestSignatureDateSkew(t *testing.T) {
	h := newHarness(t)
	h.srv.AddUserWithSecret(carolKey, carolSecret, carolARN, account)
	ctx := context.Background()
	carol := signingClient(t, carolKey, carolSecret, "")
	cases := []struct {
		name   string
		offset time.Duration
		ok     bool
		msg    string
	}{
		{"14 minutes behind", 14 * time.Minute, true, ""},
		{"14 minutes ahead", -14 * time.Minute, true, ""},
		{"16 minutes old", 16 * time.Minute, false, "Signature expired"},
		{"16 minutes in the future", -16 * time.Minute, false, "Signature not yet current"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h.srv.SetNow(func() time.Time { return time.Now().Add(c.offset) })
			defer h.srv.SetNow(nil)
			_, err := carol.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if c.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			code, msg, status := apiErrorOf(t, err)
			if code != "SignatureDoesNotMatch" || status != 403 || !strings.Contains(msg, c.msg) {
				t.Fatalf("%s %d %q", code, status, msg)
			}
		})
	}
}

// signedRequest signs a raw GetCallerIdentity request as carol and lets
// mutate change it afterwards.
func signedRequest(t *testing.T, url string, mutate func(*http.Request, *[]byte)) (*http.Request, []byte) {
	t.Helper()
	body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	req, err := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("X-Sentinel-Server-Id", "team")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: carolKey, SecretAccessKey: carolSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "eu-west-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(req, &body)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	return req, body
}

func TestSignatureCoversRequest(t *testing.T) {
	h := newHarness(t)
	h.srv.AddUserWithSecret(carolKey, carolSecret, carolARN, account)
	cases := []struct {
		name   string
		mutate func(*http.Request, *[]byte)
		status int
		code   string
	}{
		{"untouched", nil, 200, ""},
		{"other body", func(r *http.Request, b *[]byte) {
			*b = []byte("Action=GetCallerIdentity&Version=2011-06-15&X=1")
		}, 403, "SignatureDoesNotMatch"},
		{"signed header changed", func(r *http.Request, b *[]byte) { r.Header.Set("X-Sentinel-Server-Id", "other") }, 403, "SignatureDoesNotMatch"},
		{"signed header given twice", func(r *http.Request, b *[]byte) { r.Header.Add("X-Sentinel-Server-Id", "team") }, 403, "SignatureDoesNotMatch"},
		{"unsigned header added", func(r *http.Request, b *[]byte) { r.Header.Set("X-Other", "1") }, 200, ""},
		{"query added", func(r *http.Request, b *[]byte) { r.URL.RawQuery = "Action=AssumeRole" }, 403, "SignatureDoesNotMatch"},
		{"other host", func(r *http.Request, b *[]byte) { r.Host = "sts.amazonaws.com" }, 403, "SignatureDoesNotMatch"},
		{"other service", func(r *http.Request, b *[]byte) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/sts/", "/iam/", 1))
		}, 403, "SignatureDoesNotMatch"},
		{"no algorithm", func(r *http.Request, b *[]byte) {
			r.Header.Set("Authorization", strings.TrimPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 "))
		}, 400, "IncompleteSignature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := signedRequest(t, h.srv.URL(), c.mutate)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var buf bytes.Buffer
			if _, err := buf.ReadFrom(resp.Body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != c.status || (c.code != "" && !strings.Contains(buf.String(), "<Code>"+c.code+"</Code>")) {
				t.Fatalf("status %d body %s", resp.StatusCode, buf.String())
			}
		})
	}
}

func TestSecretNotRecorded(t *testing.T) {
	h := newHarness(t)
	h.srv.AddUserWithSecret(carolKey, carolSecret, carolARN, account)
	if _, err := signingClient(t, carolKey, carolSecret, "").GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range h.srv.Calls() {
		for _, vs := range c.Params {
			for _, v := range vs {
				if strings.Contains(v, carolSecret) {
					t.Fatal("secret recorded")
				}
			}
		}
	}
}
