package server

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/smithy-go"
)

// startLoopback serves a credentials handler for src on loopback and
// returns its full URI.
func startLoopback(t testing.TB, src Source) string {
	t.Helper()
	l, err := ListenLoopback(NewCredentialsHandler(src, testToken, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := l.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return l.URL + CredentialsPath
}

// sdkProvider is the AWS SDK for Go v2's container-credentials provider
// pointed at uri, retrying nothing so that failures show at once.
func sdkProvider(uri, token string) *endpointcreds.Provider {
	return endpointcreds.New(uri, func(o *endpointcreds.Options) {
		o.AuthorizationToken = token
		o.Retryer = aws.NopRetryer{}
	})
}

func TestSDKProviderGetsCredentials(t *testing.T) {
	uri := startLoopback(t, &staticSource{creds: testCredentials()})
	creds, err := sdkProvider(uri, testToken).Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := testCredentials()
	if creds.AccessKeyID != want.AccessKeyID || creds.SecretAccessKey != want.SecretAccessKey ||
		creds.SessionToken != want.SessionToken || !creds.CanExpire || !creds.Expires.Equal(want.Expires) {
		t.Errorf("SDK read %+v, want %+v", creds, want)
	}
}

func TestSDKProviderSeesErrorCodes(t *testing.T) {
	tests := []struct {
		name     string
		token    string
		err      error
		wantCode string
	}{
		{"wrong token", "wrong", nil, "Unauthorized"},
		{"denied", testToken, Classify(ErrDenied, errors.New("rule prod-closed")), "AccessDenied"},
		{"revoked", testToken, ErrRevoked, "SessionRevoked"},
		{"unavailable", testToken, ErrUnavailable, "ServiceUnavailable"},
		{"internal", testToken, errors.New("boom"), "InternalError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uri := startLoopback(t, &staticSource{creds: testCredentials(), err: tt.err})
			_, err := sdkProvider(uri, tt.token).Retrieve(context.Background())
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.wantCode {
				t.Errorf("SDK error %v, want code %s", err, tt.wantCode)
			}
		})
	}
}

// TestDefaultConfigUsesTheEndpoint checks the path a child's SDK takes:
// the default credential chain, configured by the two variables only.
func TestDefaultConfigUsesTheEndpoint(t *testing.T) {
	uri := startLoopback(t, &staticSource{creds: testCredentials()})
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     uri,
		"AWS_CONTAINER_AUTHORIZATION_TOKEN":      testToken,
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "",
		"AWS_ACCESS_KEY_ID":                      "",
		"AWS_SECRET_ACCESS_KEY":                  "",
		"AWS_SESSION_TOKEN":                      "",
		"AWS_PROFILE":                            "",
		"AWS_DEFAULT_PROFILE":                    "",
		"AWS_WEB_IDENTITY_TOKEN_FILE":            "",
		"AWS_ROLE_ARN":                           "",
		"AWS_CA_BUNDLE":                          "",
		"AWS_CONFIG_FILE":                        filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE":            filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":              "true",
		"AWS_REGION":                             "eu-west-1",
	} {
		t.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != "ASIAFAKEFORTESTS" || creds.Source != endpointcreds.ProviderName {
		t.Errorf("default chain got %s from %s, want the endpoint's", creds.AccessKeyID, creds.Source)
	}
}

// TestConcurrentFetches runs many SDK clients against one server at once;
// run with -race.
func TestConcurrentFetches(t *testing.T) {
	var calls atomic.Int64
	src := SourceFunc(func(ctx context.Context) (Credentials, error) {
		n := calls.Add(1)
		if n%5 == 0 {
			return Credentials{}, Classify(ErrDenied, errors.New("every fifth"))
		}
		return testCredentials(), nil
	})
	uri := startLoopback(t, src)
	const workers, perWorker = 32, 20
	var wg sync.WaitGroup
	var ok, denied, other atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := sdkProvider(uri, testToken)
			for i := 0; i < perWorker; i++ {
				creds, err := p.Retrieve(context.Background())
				var apiErr smithy.APIError
				switch {
				case err == nil && creds.AccessKeyID == "ASIAFAKEFORTESTS":
					ok.Add(1)
				case errors.As(err, &apiErr) && apiErr.ErrorCode() == "AccessDenied":
					denied.Add(1)
				default:
					other.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	total := int64(workers * perWorker)
	if calls.Load() != total || ok.Load()+denied.Load() != total || other.Load() != 0 || denied.Load() != total/5 {
		t.Errorf("calls %d ok %d denied %d other %d, want %d calls, %d denied", calls.Load(), ok.Load(), denied.Load(), other.Load(), total, total/5)
	}
}
