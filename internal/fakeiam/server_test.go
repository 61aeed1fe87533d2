package fakeiam

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/sentinel-cli/sentinel/internal/fakests"
)

const (
	aliceKey = "AKIAALICEEXAMPLE0001"
	aliceARN = "arn:aws:iam::111122223333:user/alice"
	secret   = "fake-secret-for-tests-only"
	serial   = "arn:aws:iam::111122223333:mfa/alice"
)

func clients(t *testing.T, s *Server, st *fakests.Server, id, token string) (*iam.Client, *sts.Client) {
	t.Helper()
	creds := aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(id, secret, token))
	return iam.New(iam.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(s.URL()), RetryMaxAttempts: 1}),
		sts.New(sts.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(st.URL()), RetryMaxAttempts: 1})
}

// aliceStandIns starts an STS stand-in and this IAM stand-in in front of
// it, both knowing alice's key; they close when the test ends.
func aliceStandIns(t *testing.T) (*fakests.Server, *Server) {
	t.Helper()
	st := fakests.New()
	t.Cleanup(st.Close)
	s := New(st)
	t.Cleanup(s.Close)
	st.AddUser(aliceKey, aliceARN, "111122223333")
	s.AddUser(aliceARN, aliceKey)
	return st, s
}

func codeOf(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func TestKeyLifecycleWithTheRealSDK(t *testing.T) {
	st, s := aliceStandIns(t)
	s.SetPropagationDelay(300 * time.Millisecond)
	ctx := context.Background()
	c, _ := clients(t, s, st, aliceKey, "")

	out, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.AccessKey.AccessKeyId)
	_, newSTS := clients(t, s, st, id, "")
	if _, err := newSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); codeOf(err) != "InvalidClientTokenId" {
		t.Errorf("a key works before it propagated: %v", err)
	}
	time.Sleep(500 * time.Millisecond)
	who, err := newSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != aliceARN {
		t.Fatalf("the new key after propagation: %v %v", who, err)
	}
	list, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	if err != nil || len(list.AccessKeyMetadata) != 2 {
		t.Fatalf("ListAccessKeys: %+v %v", list, err)
	}
	if _, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{}); codeOf(err) != "LimitExceeded" {
		t.Errorf("a third key: %v", err)
	}
	if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(aliceKey)}); err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Lookup(aliceKey, ""); ok {
		t.Error("a deleted key still works with STS")
	}
	c2, _ := clients(t, s, st, id, "")
	if _, err := c2.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(aliceKey)}); codeOf(err) != "NoSuchEntity" {
		t.Errorf("deleting a deleted key: %v", err)
	}
}

func TestSessionCredentialsNeedMFA(t *testing.T) {
	st, s := aliceStandIns(t)
	ctx := context.Background()
	_, longSTS := clients(t, s, st, aliceKey, "")
	plain, err := longSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := clients(t, s, st, aws.ToString(plain.Credentials.AccessKeyId), aws.ToString(plain.Credentials.SessionToken))
	if _, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}); codeOf(err) != "AccessDenied" {
		t.Errorf("a session without MFA called IAM: %v", err)
	}
	s.SetMFA(aliceARN, serial, "123456")
	withMFA, err := longSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String("123456")})
	if err != nil {
		t.Fatal(err)
	}
	c, _ = clients(t, s, st, aws.ToString(withMFA.Credentials.AccessKeyId), aws.ToString(withMFA.Credentials.SessionToken))
	if _, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}); err != nil {
		t.Errorf("an MFA session: %v", err)
	}
	bad, _ := clients(t, s, st, "AKIAUNKNOWN00000", "")
	if _, err := bad.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}); codeOf(err) != "InvalidClientTokenId" {
		t.Errorf("an unknown key: %v", err)
	}
}
