package vault

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// DefaultSTSTimeout bounds every STS call, retries included.
const DefaultSTSTimeout = 15 * time.Second

// defaultRegion is used when neither the profile chain nor [default] names a
// region: STS answers in every region.
const defaultRegion = "us-east-1"

// defaultMaxAttempts is the SDK's own default number of attempts per call.
const defaultMaxAttempts = 3

// STSClient is what the broker asks of STS. *STS implements it; tests and
// other doors may supply their own through an STSFactory.
type STSClient interface {
	GetCallerIdentity(ctx context.Context) (Identity, error)
	GetSessionToken(ctx context.Context, duration time.Duration, mfaSerial, tokenCode string) (Credentials, error)
	AssumeRoleDetails(ctx context.Context, in AssumeRoleInput) (AssumedRole, error)
}

// STSFactory builds an STS client for region ("" means us-east-1) that
// signs with creds.
type STSFactory func(ctx context.Context, region string, creds Credentials) (STSClient, error)

// STSOptions configure the STS clients sentinel builds. They are read once,
// at start (see STSOptionsFromEnv), and passed down: nothing in this
// package reads the environment per call. The zero value talks to the
// regional AWS endpoints with the SDK's defaults.
type STSOptions struct {
	// Endpoint replaces the regional endpoint (AWS_ENDPOINT_URL_STS, else
	// AWS_ENDPOINT_URL); empty means https://sts.REGION.amazonaws.com.
	Endpoint string
	// Timeout bounds each call, retries included (SENTINEL_STS_TIMEOUT);
	// 0 means DefaultSTSTimeout.
	Timeout time.Duration
	// MaxAttempts is the number of attempts per call (AWS_MAX_ATTEMPTS); 0
	// means the SDK's default of 3.
	MaxAttempts int
	// CABundle is a PEM file of the certificate authorities to trust
	// instead of the system's (AWS_CA_BUNDLE); empty means the system's.
	CABundle string
}

// STSOptionsFromEnv reads the settings of STSOptions from the environment
// that getenv looks into (os.Getenv at start), the way the AWS SDK and CLI
// name them. Invalid values are errors naming the variable.
func STSOptionsFromEnv(getenv func(string) string) (STSOptions, error) {
	o := STSOptions{Endpoint: cmp.Or(getenv("AWS_ENDPOINT_URL_STS"), getenv("AWS_ENDPOINT_URL")), CABundle: getenv("AWS_CA_BUNDLE")}
	if v := getenv("SENTINEL_STS_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return STSOptions{}, fmt.Errorf("SENTINEL_STS_TIMEOUT %q is not a positive Go duration (such as 15s)", v)
		}
		o.Timeout = d
	}
	n, err := maxAttemptsFromEnv(getenv)
	if err != nil {
		return STSOptions{}, err
	}
	o.MaxAttempts = n
	return o, nil
}

// maxAttemptsFromEnv reads AWS_MAX_ATTEMPTS: 0 when it is not set.
func maxAttemptsFromEnv(getenv func(string) string) (int, error) {
	v := getenv("AWS_MAX_ATTEMPTS")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 20 {
		return 0, fmt.Errorf("AWS_MAX_ATTEMPTS %q is not a number from 1 to 20", v)
	}
	return n, nil
}

// NewSTSFactory returns an STSFactory that builds *STS clients with opts.
func NewSTSFactory(opts STSOptions) STSFactory {
	return func(ctx context.Context, region string, creds Credentials) (STSClient, error) {
		return NewSTS(ctx, region, creds, opts)
	}
}

// STS calls AWS STS with one set of credentials.
type STS struct {
	client *sts.Client
	// temporary records whether the signing credentials are session
	// credentials, to tell expired sessions from rejected keys. The
	// credentials themselves are not kept here, so that printing an STS
	// value cannot show them.
	temporary bool
	timeout   time.Duration
	endpoint  string
}

// NewSTS builds an STS client for region ("" means us-east-1) signing with
// creds, configured by opts alone: it reads neither the environment nor
// the user's shared config or credentials files (those may hold
// `credential_process = sentinel ...`, which would recurse, and AWS_PROFILE
// may name a profile that exists only in sentinel).
func NewSTS(ctx context.Context, region string, creds Credentials, opts STSOptions) (*STS, error) {
	region = cmp.Or(region, defaultRegion)
	c, err := newSDKClient(creds, opts.Timeout, opts.MaxAttempts, opts.CABundle)
	if err != nil {
		return nil, err
	}
	o := sts.Options{Region: region, Credentials: c.credentials, RetryMaxAttempts: c.attempts, HTTPClient: c.httpClient, BaseEndpoint: baseEndpoint(opts.Endpoint)}
	endpoint := cmp.Or(opts.Endpoint, "https://sts."+region+".amazonaws.com")
	return &STS{
		client:    sts.New(o),
		temporary: creds.SessionToken != "",
		timeout:   c.timeout,
		endpoint:  endpoint,
	}, nil
}

// GetCallerIdentity asks STS who the credentials belong to.
func (s *STS) GetCallerIdentity(ctx context.Context) (Identity, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	out, err := s.client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, s.mapError(ctx, "GetCallerIdentity", err, false)
	}
	id, err := ParseIdentity(aws.ToString(out.Arn), aws.ToString(out.Account), aws.ToString(out.UserId))
	if err != nil {
		return Identity{}, newError(ErrSTS, err, "STS GetCallerIdentity: %v", err)
	}
	return id, nil
}

// GetSessionToken exchanges long-lived keys for session credentials lasting
// duration (0 = the STS default). mfaSerial and tokenCode go together: with
// an MFA device both are needed.
func (s *STS) GetSessionToken(ctx context.Context, duration time.Duration, mfaSerial, tokenCode string) (Credentials, error) {
	in := &sts.GetSessionTokenInput{}
	if duration > 0 {
		in.DurationSeconds = aws.Int32(int32(duration / time.Second))
	}
	if err := checkMFAPair(mfaSerial, tokenCode); err != nil {
		return Credentials{}, err
	}
	if mfaSerial != "" {
		in.SerialNumber = aws.String(mfaSerial)
		in.TokenCode = aws.String(tokenCode)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	out, err := s.client.GetSessionToken(ctx, in)
	if err != nil {
		return Credentials{}, s.mapError(ctx, "GetSessionToken", err, mfaSerial != "")
	}
	return fromSTSCredentials("GetSessionToken", out.Credentials)
}

// AssumeRoleInput is what AssumeRole asks STS for.
type AssumeRoleInput struct {
	// RoleARN is the role to assume.
	RoleARN string
	// SessionName is the role session name (2-64 of [\w+=,.@-]).
	SessionName string
	// ExternalID is passed when the role's trust policy requires one.
	ExternalID string
	// SourceIdentity is stamped on the session (and CloudTrail) for good.
	SourceIdentity string
	// MFASerial and TokenCode authenticate with an MFA device.
	MFASerial string
	TokenCode string
	// Duration is the session lifetime (0 = the STS default of one hour).
	Duration time.Duration
	// Tags are session tags.
	Tags map[string]string
}

// AssumedRole is the full answer of AssumeRole.
type AssumedRole struct {
	Credentials Credentials
	// ARN is the assumed-role session ARN
	// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION).
	ARN string
	// AssumedRoleID is ROLEID:SESSION.
	AssumedRoleID string
	// SourceIdentity is the SourceIdentity STS recorded for the session.
	SourceIdentity string
	// RequestID is the STS request ID, which CloudTrail records too.
	RequestID string
}

// AssumeRole assumes a role and returns its credentials.
func (s *STS) AssumeRole(ctx context.Context, in AssumeRoleInput) (Credentials, error) {
	r, err := s.AssumeRoleDetails(ctx, in)
	if err != nil {
		return Credentials{}, err
	}
	return r.Credentials, nil
}

// AssumeRoleDetails is AssumeRole also returning the session ARN and the
// request ID, for the decision log and the role cache.
func (s *STS) AssumeRoleDetails(ctx context.Context, in AssumeRoleInput) (AssumedRole, error) {
	if in.RoleARN == "" || in.SessionName == "" {
		return AssumedRole{}, errors.New("STS AssumeRole: a role ARN and a session name are required")
	}
	if err := checkMFAPair(in.MFASerial, in.TokenCode); err != nil {
		return AssumedRole{}, err
	}
	req := &sts.AssumeRoleInput{
		RoleArn:         aws.String(in.RoleARN),
		RoleSessionName: aws.String(in.SessionName),
	}
	if in.ExternalID != "" {
		req.ExternalId = aws.String(in.ExternalID)
	}
	if in.SourceIdentity != "" {
		req.SourceIdentity = aws.String(in.SourceIdentity)
	}
	if in.MFASerial != "" {
		req.SerialNumber = aws.String(in.MFASerial)
		req.TokenCode = aws.String(in.TokenCode)
	}
	if in.Duration > 0 {
		req.DurationSeconds = aws.Int32(int32(in.Duration / time.Second))
	}
	// Sorted so that requests are reproducible (and testable).
	for _, k := range slices.Sorted(maps.Keys(in.Tags)) {
		req.Tags = append(req.Tags, ststypes.Tag{Key: aws.String(k), Value: aws.String(in.Tags[k])})
	}

	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	out, err := s.client.AssumeRole(ctx, req)
	if err != nil {
		return AssumedRole{}, s.mapError(ctx, "AssumeRole", err, in.MFASerial != "")
	}
	creds, err := fromSTSCredentials("AssumeRole", out.Credentials)
	if err != nil {
		return AssumedRole{}, err
	}
	r := AssumedRole{Credentials: creds, SourceIdentity: aws.ToString(out.SourceIdentity)}
	if out.AssumedRoleUser != nil {
		r.ARN = aws.ToString(out.AssumedRoleUser.Arn)
		r.AssumedRoleID = aws.ToString(out.AssumedRoleUser.AssumedRoleId)
	}
	r.RequestID, _ = awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	return r, nil
}

// checkMFAPair rejects a serial without a code (or the reverse) before any
// call: STS would only answer with a vaguer error.
func checkMFAPair(serial, code string) error {
	switch {
	case serial != "" && code == "":
		return &MFARequiredError{Serial: serial}
	case serial == "" && code != "":
		return errors.New("an MFA code was given but the profile has no mfa_serial")
	}
	return nil
}

// fromSTSCredentials converts the SDK's credentials, refusing an answer
// without them.
func fromSTSCredentials(action string, c *ststypes.Credentials) (Credentials, error) {
	if c == nil || aws.ToString(c.AccessKeyId) == "" || aws.ToString(c.SecretAccessKey) == "" || aws.ToString(c.SessionToken) == "" || c.Expiration == nil {
		return Credentials{}, newError(ErrSTS, nil, "STS %s: the answer holds no complete credentials", action)
	}
	return Credentials{
		AccessKeyID:     aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken:    aws.ToString(c.SessionToken),
		Expires:         c.Expiration.UTC(),
	}, nil
}
