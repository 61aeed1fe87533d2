package vault

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ErrIAM is any error reported by IAM, or IAM being unreachable.
var ErrIAM = errors.New("IAM error")

// ErrTooManyKeys means the IAM user already has the two access keys IAM
// allows, so no new one can be created.
var ErrTooManyKeys = errors.New("the IAM user already has two access keys")

// IAMOptions configure the IAM client. The zero value talks to the global
// IAM endpoint with the SDK's defaults.
type IAMOptions struct {
	// Endpoint replaces the IAM endpoint (AWS_ENDPOINT_URL_IAM, else
	// AWS_ENDPOINT_URL, read once at start).
	Endpoint string
	// Timeout bounds each call; 0 means DefaultSTSTimeout.
	Timeout time.Duration
	// MaxAttempts per call; 0 means the SDK's default.
	MaxAttempts int
	// CABundle is a PEM file of certificate authorities (AWS_CA_BUNDLE).
	CABundle string
}

// IAMOptionsFromEnv reads IAMOptions from getenv (os.Getenv at start),
// sharing the timeout, attempts and CA bundle of the STS settings.
func IAMOptionsFromEnv(getenv func(string) string, sts STSOptions) IAMOptions {
	o := IAMOptions{Endpoint: getenv("AWS_ENDPOINT_URL_IAM"), Timeout: sts.Timeout, MaxAttempts: sts.MaxAttempts, CABundle: sts.CABundle}
	if o.Endpoint == "" {
		o.Endpoint = getenv("AWS_ENDPOINT_URL")
	}
	return o
}

// AccessKeyInfo is an access key of an IAM user, without its secret.
type AccessKeyInfo struct {
	ID      string
	Active  bool
	Created time.Time
}

// IAMClient is what key rotation asks of IAM, for the signing user's own
// keys. *IAM implements it.
type IAMClient interface {
	ListAccessKeys(ctx context.Context) ([]AccessKeyInfo, error)
	CreateAccessKey(ctx context.Context) (Credentials, error)
	DeleteAccessKey(ctx context.Context, id string) error
}

// IAMFactory builds an IAM client signing with creds.
type IAMFactory func(ctx context.Context, creds Credentials) (IAMClient, error)

// NewIAMFactory returns an IAMFactory building *IAM clients with opts.
func NewIAMFactory(opts IAMOptions) IAMFactory {
	return func(ctx context.Context, creds Credentials) (IAMClient, error) {
		return NewIAM(creds, opts)
	}
}

// IAM calls AWS IAM with one set of credentials.
type IAM struct {
	client   *iam.Client
	timeout  time.Duration
	endpoint string
}

// NewIAM builds an IAM client signing with creds. IAM is global: the
// client signs for us-east-1.
func NewIAM(creds Credentials, opts IAMOptions) (*IAM, error) {
	c, err := newSDKClient(creds, opts.Timeout, opts.MaxAttempts, opts.CABundle)
	if err != nil {
		return nil, err
	}
	o := iam.Options{Region: defaultRegion, Credentials: c.credentials, RetryMaxAttempts: c.attempts, HTTPClient: c.httpClient}
	endpoint := "https://iam.amazonaws.com"
	if opts.Endpoint != "" {
		o.BaseEndpoint = aws.String(opts.Endpoint)
		endpoint = opts.Endpoint
	}
	return &IAM{client: iam.New(o), timeout: c.timeout, endpoint: endpoint}, nil
}

// ListAccessKeys lists the signing user's access keys.
func (c *IAM) ListAccessKeys(ctx context.Context) ([]AccessKeyInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var keys []AccessKeyInfo
	p := iam.NewListAccessKeysPaginator(c.client, &iam.ListAccessKeysInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, c.mapError(ctx, "ListAccessKeys", err)
		}
		for _, k := range out.AccessKeyMetadata {
			keys = append(keys, AccessKeyInfo{ID: aws.ToString(k.AccessKeyId), Active: k.Status == "Active", Created: aws.ToTime(k.CreateDate)})
		}
	}
	return keys, nil
}

// CreateAccessKey creates a new access key for the signing user.
func (c *IAM) CreateAccessKey(ctx context.Context) (Credentials, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	out, err := c.client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	if err != nil {
		return Credentials{}, c.mapError(ctx, "CreateAccessKey", err)
	}
	if out.AccessKey == nil || aws.ToString(out.AccessKey.AccessKeyId) == "" || aws.ToString(out.AccessKey.SecretAccessKey) == "" {
		return Credentials{}, newError(ErrIAM, nil, "IAM CreateAccessKey: the answer holds no key")
	}
	return Credentials{AccessKeyID: aws.ToString(out.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(out.AccessKey.SecretAccessKey)}, nil
}

// DeleteAccessKey deletes the signing user's access key id.
func (c *IAM) DeleteAccessKey(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if _, err := c.client.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(id)}); err != nil {
		return c.mapError(ctx, "DeleteAccessKey", err)
	}
	return nil
}

// mapError turns an SDK error into a one-line error matching ErrIAM (and
// ErrTooManyKeys for the key quota).
func (c *IAM) mapError(ctx context.Context, action string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return newError(ErrIAM, err, "IAM %s: no answer from %s within %s", action, c.endpoint, c.timeout)
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code, msg := apiErr.ErrorCode(), oneLine(apiErr.ErrorMessage())
		if code == "LimitExceeded" {
			return newError(ErrTooManyKeys, err, "IAM %s: %s", action, msg)
		}
		return newError(ErrIAM, err, "IAM %s: %s: %s", action, code, msg)
	}
	var sendErr *smithyhttp.RequestSendError
	var netErr net.Error
	if errors.As(err, &sendErr) || errors.As(err, &netErr) {
		return newError(ErrIAM, err, "IAM %s: could not reach IAM at %s", action, c.endpoint)
	}
	return newError(ErrIAM, err, "IAM %s failed: %s", action, oneLine(fmt.Sprint(err)))
}
