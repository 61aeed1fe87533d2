package vault

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// sdkClient is what the STS and IAM clients are built from alike: the
// per-call timeout and attempts with their defaults filled in, the HTTP
// client trusting the CA bundle, and a cached static provider of the
// credentials that sign.
type sdkClient struct {
	timeout     time.Duration
	attempts    int
	httpClient  *awshttp.BuildableClient
	credentials aws.CredentialsProvider
}

// newSDKClient fills in DefaultSTSTimeout for a timeout of 0 or less and
// defaultMaxAttempts for attempts of 0 or less.
func newSDKClient(creds Credentials, timeout time.Duration, attempts int, caBundle string) (sdkClient, error) {
	if timeout <= 0 {
		timeout = DefaultSTSTimeout
	}
	if attempts <= 0 {
		attempts = defaultMaxAttempts
	}
	httpClient, err := sdkHTTPClient(caBundle)
	if err != nil {
		return sdkClient{}, err
	}
	return sdkClient{
		timeout:     timeout,
		attempts:    attempts,
		httpClient:  httpClient,
		credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)),
	}, nil
}

// baseEndpoint is an SDK client's BaseEndpoint for url: nil (the service's
// own endpoint) when url is empty.
func baseEndpoint(url string) *string {
	if url == "" {
		return nil
	}
	return aws.String(url)
}
