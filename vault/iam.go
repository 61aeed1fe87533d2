package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
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

// IAM calls AWS IAM with one set of credentials. It makes the three
// calls key rotation needs itself (the Query protocol, signed with SigV4)
// rather than linking the SDK's IAM client: that client is some 5 MB of a
// binary whose every start, `credentials` included, pays for its size and
// its package initialisation, for a command people run a few times a
// year.
type IAM struct {
	client      aws.HTTPClient
	credentials aws.CredentialsProvider
	attempts    int
	timeout     time.Duration
	endpoint    string
}

// iamAPIVersion is the IAM Query API's version.
const iamAPIVersion = "2010-05-08"

// maxIAMAnswer bounds an IAM answer read into memory.
const maxIAMAnswer = 1 << 20

// iamRetryBase is the first wait between attempts; it doubles each time.
var iamRetryBase = 100 * time.Millisecond

// NewIAM builds an IAM client signing with creds. IAM is global: the
// client signs for us-east-1.
func NewIAM(creds Credentials, opts IAMOptions) (*IAM, error) {
	c, err := newSDKClient(creds, opts.Timeout, opts.MaxAttempts, opts.CABundle)
	if err != nil {
		return nil, err
	}
	endpoint := "https://iam.amazonaws.com"
	if opts.Endpoint != "" {
		endpoint = opts.Endpoint
	}
	return &IAM{client: c.httpClient, credentials: c.credentials, attempts: c.attempts, timeout: c.timeout, endpoint: endpoint}, nil
}

// iamAccessKey is an access key as IAM's answers carry it.
type iamAccessKey struct {
	AccessKeyID     string    `xml:"AccessKeyId"`
	SecretAccessKey string    `xml:"SecretAccessKey"`
	Status          string    `xml:"Status"`
	CreateDate      time.Time `xml:"CreateDate"`
}

// ListAccessKeys lists the signing user's access keys.
func (c *IAM) ListAccessKeys(ctx context.Context) ([]AccessKeyInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var keys []AccessKeyInfo
	marker := ""
	for {
		params := url.Values{}
		if marker != "" {
			params.Set("Marker", marker)
		}
		var out struct {
			Keys        []iamAccessKey `xml:"ListAccessKeysResult>AccessKeyMetadata>member"`
			IsTruncated bool           `xml:"ListAccessKeysResult>IsTruncated"`
			Marker      string         `xml:"ListAccessKeysResult>Marker"`
		}
		if err := c.call(ctx, "ListAccessKeys", params, &out); err != nil {
			return nil, c.mapError(ctx, "ListAccessKeys", err)
		}
		for _, k := range out.Keys {
			keys = append(keys, AccessKeyInfo{ID: k.AccessKeyID, Active: k.Status == "Active", Created: k.CreateDate})
		}
		// A truncated page without a marker would loop for ever.
		if !out.IsTruncated || out.Marker == "" || out.Marker == marker {
			return keys, nil
		}
		marker = out.Marker
	}
}

// CreateAccessKey creates a new access key for the signing user.
func (c *IAM) CreateAccessKey(ctx context.Context) (Credentials, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var out struct {
		Key *iamAccessKey `xml:"CreateAccessKeyResult>AccessKey"`
	}
	if err := c.call(ctx, "CreateAccessKey", url.Values{}, &out); err != nil {
		return Credentials{}, c.mapError(ctx, "CreateAccessKey", err)
	}
	if out.Key == nil || out.Key.AccessKeyID == "" || out.Key.SecretAccessKey == "" {
		return Credentials{}, newError(ErrIAM, nil, "IAM CreateAccessKey: the answer holds no key")
	}
	return Credentials{AccessKeyID: out.Key.AccessKeyID, SecretAccessKey: out.Key.SecretAccessKey}, nil
}

// DeleteAccessKey deletes the signing user's access key id.
func (c *IAM) DeleteAccessKey(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if err := c.call(ctx, "DeleteAccessKey", url.Values{"AccessKeyId": {id}}, nil); err != nil {
		return c.mapError(ctx, "DeleteAccessKey", err)
	}
	return nil
}

// iamAPIError is an error answer of IAM: its code and message.
type iamAPIError struct {
	Status  int
	Code    string
	Message string
}

func (e *iamAPIError) Error() string {
	return fmt.Sprintf("%s: %s (HTTP %d)", e.Code, e.Message, e.Status)
}

// retryable is what the SDK's standard retryer retries: throttling and
// the service's own failures.
func (e *iamAPIError) retryable() bool {
	switch e.Code {
	case "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
		"TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled", "SlowDown",
		"ServiceUnavailable", "ServiceUnavailableException", "InternalFailure", "InternalError":
		return true
	}
	return e.Status >= 500
}

// iamSendError is a request that got no answer.
type iamSendError struct{ err error }

func (e *iamSendError) Error() string { return e.err.Error() }
func (e *iamSendError) Unwrap() error { return e.err }

// call makes one IAM call, retried up to c.attempts times on throttling,
// IAM's own failures and unreachable endpoints, as the SDK would, and
// decodes the answer's XML into out (nil: no body wanted).
func (c *IAM) call(ctx context.Context, action string, params url.Values, out any) error {
	params.Set("Action", action)
	params.Set("Version", iamAPIVersion)
	body := []byte(params.Encode())
	var err error
	for attempt := 0; attempt < c.attempts; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(iamRetryBase << (attempt - 1))
			select {
			case <-ctx.Done():
				t.Stop()
				return err
			case <-t.C:
			}
		}
		var data []byte
		data, err = c.send(ctx, body)
		if err == nil {
			if out == nil {
				return nil
			}
			if xerr := xml.Unmarshal(data, out); xerr != nil {
				return fmt.Errorf("the answer is not IAM's XML: %w", xerr)
			}
			return nil
		}
		var apiErr *iamAPIError
		var sendErr *iamSendError
		switch {
		case ctx.Err() != nil:
			return err
		case errors.As(err, &apiErr) && apiErr.retryable(), errors.As(err, &sendErr):
			continue
		default:
			return err
		}
	}
	return err
}

// send posts one signed request and returns the answer's body when it is
// a success.
func (c *IAM) send(ctx context.Context, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("endpoint %s: %w", c.endpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	creds, err := c.credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "iam", defaultRegion, time.Now()); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, &iamSendError{err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxIAMAnswer+1))
	if err != nil {
		return nil, &iamSendError{err}
	}
	if len(data) > maxIAMAnswer {
		return nil, fmt.Errorf("the answer is over %d bytes", maxIAMAnswer)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		}
		_ = xml.Unmarshal(data, &e)
		if e.Code == "" {
			e.Code = strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", "")
		}
		return nil, &iamAPIError{Status: resp.StatusCode, Code: e.Code, Message: e.Message}
	}
	return data, nil
}

// mapError turns a failed call into a one-line error matching ErrIAM (and
// ErrTooManyKeys for the key quota).
func (c *IAM) mapError(ctx context.Context, action string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return newError(ErrIAM, err, "IAM %s: no answer from %s within %s", action, c.endpoint, c.timeout)
	}
	var apiErr *iamAPIError
	if errors.As(err, &apiErr) {
		code, msg := apiErr.Code, oneLine(apiErr.Message)
		if code == "LimitExceeded" {
			return newError(ErrTooManyKeys, err, "IAM %s: %s", action, msg)
		}
		return newError(ErrIAM, err, "IAM %s: %s: %s", action, code, msg)
	}
	var sendErr *iamSendError
	var netErr net.Error
	if errors.As(err, &sendErr) || errors.As(err, &netErr) {
		return newError(ErrIAM, err, "IAM %s: could not reach IAM at %s", action, c.endpoint)
	}
	return newError(ErrIAM, err, "IAM %s failed: %s", action, oneLine(fmt.Sprint(err)))
}
