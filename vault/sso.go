package vault

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/smithy-go"
)

// DefaultSSOTimeout bounds every call to the OIDC and portal endpoints
// (not the whole device sign-in, which waits for a person).
const DefaultSSOTimeout = 15 * time.Second

// SSORefreshWindow is how close to its expiry a token is refreshed with
// its refresh token, as the AWS CLI does (botocore refreshes 15 minutes
// before).
const SSORefreshWindow = 15 * time.Minute

// Errors of IAM Identity Center sign-in and credentials; check them with
// errors.Is.
var (
	// ErrSSOLoginRequired means there is no usable token for a sign-in and
	// no terminal to run the device sign-in on. *SSOLoginRequiredError
	// matches it.
	ErrSSOLoginRequired = errors.New("IAM Identity Center sign-in required")
	// ErrSSODenied means the person refused the device sign-in.
	ErrSSODenied = errors.New("IAM Identity Center sign-in denied")
	// ErrSSOExpired means the device code expired before the person
	// finished signing in.
	ErrSSOExpired = errors.New("IAM Identity Center sign-in expired before it was completed")
	// ErrSSOForbidden means the portal refused the account and role: the
	// person is not assigned that permission set.
	ErrSSOForbidden = errors.New("no access to that account and role in IAM Identity Center")
	// ErrSSOUnreachable means the OIDC or portal endpoint could not be
	// reached or did not answer in time.
	ErrSSOUnreachable = errors.New("IAM Identity Center unreachable")
	// ErrSSO is any other error of the OIDC or portal endpoints.
	ErrSSO = errors.New("IAM Identity Center error")
)

// SSOLoginRequiredError says that a sign-in is needed: there is no token,
// or it expired and could not be refreshed, or the portal rejected it. It
// matches ErrSSOLoginRequired.
type SSOLoginRequiredError struct {
	// Profile is the profile asked for ("" when a session was named).
	Profile string
	// Session is the sso-session's name, or the start URL of a legacy
	// profile.
	Session string
	// Reason is why: "no token", "token expired", "token rejected".
	Reason string
}

func (e *SSOLoginRequiredError) Error() string {
	return fmt.Sprintf("IAM Identity Center sign-in required for %s: %s", e.Session, e.Reason)
}

// Is makes errors.Is(err, ErrSSOLoginRequired) true.
func (e *SSOLoginRequiredError) Is(target error) bool { return target == ErrSSOLoginRequired }

// SSOOptions configure the OIDC and portal clients. Like STSOptions they
// are read once, at start (SSOOptionsFromEnv), and passed down. The zero
// value talks to the regional AWS endpoints.
type SSOOptions struct {
	// OIDCEndpoint replaces https://oidc.REGION.amazonaws.com
	// (AWS_ENDPOINT_URL_SSO_OIDC, else AWS_ENDPOINT_URL).
	OIDCEndpoint string
	// PortalEndpoint replaces https://portal.sso.REGION.amazonaws.com
	// (AWS_ENDPOINT_URL_SSO, else AWS_ENDPOINT_URL).
	PortalEndpoint string
	// Timeout bounds each call; 0 means DefaultSSOTimeout.
	Timeout time.Duration
	// MaxAttempts is the number of attempts per call (AWS_MAX_ATTEMPTS);
	// 0 means the SDK's default.
	MaxAttempts int
	// CABundle is a PEM file of certificate authorities (AWS_CA_BUNDLE).
	CABundle string
}

// SSOOptionsFromEnv reads SSOOptions from the environment getenv looks
// into (os.Getenv at start).
func SSOOptionsFromEnv(getenv func(string) string) (SSOOptions, error) {
	o := SSOOptions{
		OIDCEndpoint:   cmp.Or(getenv("AWS_ENDPOINT_URL_SSO_OIDC"), getenv("AWS_ENDPOINT_URL")),
		PortalEndpoint: cmp.Or(getenv("AWS_ENDPOINT_URL_SSO"), getenv("AWS_ENDPOINT_URL")),
		CABundle:       getenv("AWS_CA_BUNDLE"),
	}
	n, err := maxAttemptsFromEnv(getenv)
	if err != nil {
		return SSOOptions{}, err
	}
	o.MaxAttempts = n
	return o, nil
}

// DeviceAuthorization is what a person needs to finish a device sign-in:
// the page to open and the code to check there.
type DeviceAuthorization struct {
	// VerificationURI is the page; VerificationURIComplete has the code in
	// it already.
	VerificationURI         string
	VerificationURIComplete string
	UserCode                string
	// ExpiresAt is when the code stops working.
	ExpiresAt time.Time
}

// SSO gets IAM Identity Center tokens (cached in the AWS CLI's files,
// refreshed, or signed in for with the device flow) and role credentials.
type SSO struct {
	Options SSOOptions
	Tokens  SSOTokenCache
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits between polls of the device sign-in; nil sleeps for
	// real (and stops when ctx ends).
	Sleep func(ctx context.Context, d time.Duration) error
	// SignIn shows a person the page and code of a device sign-in. Nil
	// means there is nobody to show it to (no terminal): a missing or
	// expired token is then an *SSOLoginRequiredError instead of a sign-in.
	SignIn func(DeviceAuthorization) error
	// ClientName is the name sentinel registers as with OIDC.
	ClientName string
}

func (s *SSO) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *SSO) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (s *SSO) timeout() time.Duration {
	if s.Options.Timeout > 0 {
		return s.Options.Timeout
	}
	return DefaultSSOTimeout
}

// httpClient is the SDK's buildable client with the CA bundle, if any.
func (s *SSO) httpClient() (*awshttp.BuildableClient, error) {
	return sdkHTTPClient(s.Options.CABundle)
}

// oidcClient builds the OIDC client of region. Its calls are not signed.
func (s *SSO) oidcClient(region string) (*ssooidc.Client, error) {
	hc, err := s.httpClient()
	if err != nil {
		return nil, err
	}
	return ssooidc.New(ssooidc.Options{Region: region, HTTPClient: hc, RetryMaxAttempts: s.Options.MaxAttempts, BaseEndpoint: baseEndpoint(s.Options.OIDCEndpoint)}), nil
}

// portalClient builds the portal client of region. Its calls carry the
// bearer token, not a signature.
func (s *SSO) portalClient(region string) (*sso.Client, error) {
	hc, err := s.httpClient()
	if err != nil {
		return nil, err
	}
	return sso.New(sso.Options{Region: region, HTTPClient: hc, RetryMaxAttempts: s.Options.MaxAttempts, BaseEndpoint: baseEndpoint(s.Options.PortalEndpoint)}), nil
}

// ssoErrorCode returns the service's error code, or "" when err is not an
// answer of the service.
func ssoErrorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// mapSSOError turns an SDK error into one of the package's: a service
// answer is ErrSSO with its code (never its message: it may echo input),
// anything else ErrSSOUnreachable.
func mapSSOError(action string, err error) error {
	if code := ssoErrorCode(err); code != "" {
		return newError(ErrSSO, nil, "IAM Identity Center %s: %s", action, code)
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return newError(ErrSSOUnreachable, err, "IAM Identity Center %s: %v", action, err)
}
