package fakesecrets

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
)

// The stand-in is checked against the real SDK clients, so that the
// fetcher (which makes these two calls itself, to keep the SDK clients out
// of the binary) is tested against a server AWS's own clients accept.
func TestRealSDKClients(t *testing.T) {
	s := New()
	defer s.Close()
	s.PutSecret("arn:aws:secretsmanager:us-east-1:111122223333:secret:x-AbCdEf", "the-secret")
	s.PutParameter("/sentinel/key", "the-parameter")
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIAFAKESECRETS00001", "fake-secret-for-tests-only", ""),
		BaseEndpoint:     aws.String(s.URL()),
		RetryMaxAttempts: 1,
	}
	ctx := context.Background()
	sm := secretsmanager.NewFromConfig(cfg)
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("arn:aws:secretsmanager:us-east-1:111122223333:secret:x-AbCdEf")})
	if err != nil || aws.ToString(out.SecretString) != "the-secret" {
		t.Fatalf("GetSecretValue = %+v, %v", out, err)
	}
	_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("nope")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("unknown secret: %v", err)
	}
	p := ssm.NewFromConfig(cfg)
	pout, err := p.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/sentinel/key"), WithDecryption: aws.Bool(true)})
	if err != nil || aws.ToString(pout.Parameter.Value) != "the-parameter" {
		t.Fatalf("GetParameter = %+v, %v", pout, err)
	}
	_, err = p.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/none"), WithDecryption: aws.Bool(true)})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ParameterNotFound" {
		t.Fatalf("unknown parameter: %v", err)
	}
	for _, c := range s.Calls() {
		if c.AccessKeyID != "AKIAFAKESECRETS00001" {
			t.Errorf("call %+v: not signed with the caller's key", c)
		}
	}
}
