package awsfetch_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/sentinel-cli/sentinel/internal/fakesecrets"
	"github.com/sentinel-cli/sentinel/secretref"
	"github.com/sentinel-cli/sentinel/secretref/awsfetch"
)

const secretARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:sentinel/webhook-AbCdEf"

// fetcher is a Fetcher built as the service builds it, from an aws.Config
// with the stand-in as the endpoint of both services.
func fetcher(t *testing.T) (*awsfetch.Fetcher, *fakesecrets.Server) {
	t.Helper()
	fake := fakesecrets.New()
	t.Cleanup(fake.Close)
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIASERVICESECRETS1", "fake-secret-for-tests-only", ""),
		BaseEndpoint:     aws.String(fake.URL()),
		RetryMaxAttempts: 1,
	}
	return awsfetch.NewFetcher(cfg, awsfetch.Endpoints{}), fake
}

func TestFetch(t *testing.T) {
	f, fake := fetcher(t)
	fake.PutSecret(secretARN, "  webhook-signing-secret-0123456789\n")
	fake.PutParameter("/sentinel/log-key", "log-hmac-key-0123456789abcdef0123456789")
	ctx := context.Background()
	tests := []struct {
		name    string
		ref     secretref.Ref
		want    string
		wantErr string
	}{
		{"secrets manager", secretref.Ref{SecretARN: secretARN}, "webhook-signing-secret-0123456789", ""},
		{"parameter store, decrypted", secretref.Ref{SSM: "/sentinel/log-key"}, "log-hmac-key-0123456789abcdef0123456789", ""},
		{"unknown secret", secretref.Ref{SecretARN: strings.Replace(secretARN, "AbCdEf", "Gone00", 1)}, "", "ResourceNotFoundException"},
		{"unknown parameter", secretref.Ref{SSM: "/sentinel/none"}, "", "ParameterNotFound"},
		{"both", secretref.Ref{SecretARN: secretARN, SSM: "/x"}, "", "exclude each other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.Fetch(ctx, tt.ref)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("Fetch = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	for _, c := range fake.Calls() {
		if c.AccessKeyID != "AKIASERVICESECRETS1" {
			t.Errorf("call %+v not signed with the service's key", c)
		}
		if c.Target == "AmazonSSM.GetParameter" && !c.Decrypt {
			t.Errorf("GetParameter without decryption: %+v", c)
		}
	}
}

func TestFetchEmptyIsAnError(t *testing.T) {
	f, fake := fetcher(t)
	fake.PutSecret(secretARN, " \n")
	_, err := f.Fetch(context.Background(), secretref.Ref{SecretARN: secretARN})
	if !errors.Is(err, awsfetch.ErrEmpty) {
		t.Fatalf("err = %v, want ErrEmpty", err)
	}
}
