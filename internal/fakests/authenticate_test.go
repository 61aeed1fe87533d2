package fakests

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func TestAuthenticateForAnotherService(t *testing.T) {
	h := newHarness(t)
	h.srv.AddUserWithSecret(carolKey, carolSecret, carolARN, account)
	const body = "Action=ListRolePolicies&Version=2010-05-08&RoleName=deploy"
	signed := func(service, secret string, at time.Time) *http.Request {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: carolKey, SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", at); err != nil {
			t.Fatal(err)
		}
		return req
	}
	now := time.Now()
	who, err := h.srv.Authenticate(signed("iam", carolSecret, now), []byte(body), "iam")
	if err != nil || who.ARN != carolARN || who.Kind != "user" {
		t.Fatalf("a good iam signature: %+v, %v", who, err)
	}
	tests := []struct {
		name string
		req  *http.Request
		body string
		code string
	}{
		{"a signature scoped to sts", signed("sts", carolSecret, now), body, "SignatureDoesNotMatch"},
		{"a wrong secret", signed("iam", "wrong", now), body, "SignatureDoesNotMatch"},
		{"a changed body", signed("iam", carolSecret, now), body + "&PolicyName=x", "SignatureDoesNotMatch"},
		{"a stale date", signed("iam", carolSecret, now.Add(-20*time.Minute)), body, "SignatureDoesNotMatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.srv.Authenticate(tt.req, []byte(tt.body), "iam")
			var authErr *AuthError
			if !errors.As(err, &authErr) || authErr.Code != tt.code || authErr.Status != http.StatusForbidden {
				t.Errorf("Authenticate = %v, want 403 %s", err, tt.code)
			}
		})
	}
	unsigned, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(body))
	var authErr *AuthError
	if _, err := h.srv.Authenticate(unsigned, []byte(body), "iam"); !errors.As(err, &authErr) || authErr.Code != "MissingAuthenticationToken" {
		t.Errorf("no Authorization header: %v", err)
	}
	// A key added without its secret is known by its ID alone, as before.
	req := signed("iam", "anything", now)
	req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"), carolKey, aliceKey, 1))
	if who, err := h.srv.Authenticate(req, []byte(body), "iam"); err != nil || who.ARN != aliceARN {
		t.Errorf("a key without a known secret: %+v, %v", who, err)
	}
}
