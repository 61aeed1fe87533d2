package vault

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// DefaultSTSTimeout bounds every STS call, retries included. Override it
// with $SENTINEL_STS_TIMEOUT (a Go duration such as "2s"), for tests.
const DefaultSTSTimeout = 15 * time.Second

// defaultRegion is used when neither the profile chain nor [default] names a
// region: STS answers in every region.
const defaultRegion = "us-east-1"

// defaultMaxAttempts is the SDK's own default. $AWS_MAX_ATTEMPTS overrides
// it (tests set 1 so that a 5xx is not retried).
const defaultMaxAttempts = 3

// STS calls AWS STS with one set of credentials.
type STS struct {
	client *sts.Client
	// temporary records whether the signing credentials are session
	// credentials, for error hints. The credentials themselves are not
	// kept here, so that printing an STS value cannot show them.
	temporary bool
	timeout   time.Duration
	endpoint  string

	// Profile, when set, names the profile whose keys sign the calls, so
	// that error hints can name it ("run `sentinel add dev` again").
	Profile string
}

// NewSTS builds an STS client for region ("" means us-east-1) signing with
// creds. It reads only the environment (AWS_ENDPOINT_URL_STS, AWS_CA_BUNDLE,
// AWS_MAX_ATTEMPTS...), never the user's shared config or credentials files:
// those may hold `credential_process = sentinel ...`, which would recurse,
// and AWS_PROFILE may name a profile that exists only in sentinel.
func NewSTS(ctx context.Context, region string, creds Credentials) (*STS, error) {
	if region == "" {
		region = defaultRegion
	}
	timeout := DefaultSTSTimeout
	if v := os.Getenv("SENTINEL_STS_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("SENTINEL_STS_TIMEOUT %q is not a positive Go duration (such as 15s)", v)
		}
		timeout = d
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
	}
	if os.Getenv("AWS_MAX_ATTEMPTS") == "" {
		opts = append(opts, config.WithRetryMaxAttempts(defaultMaxAttempts))
	}
	cfg, err := loadConfigIgnoringProfile(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("configure the STS client: %w", err)
	}
	return &STS{
		client:    sts.NewFromConfig(cfg),
		temporary: creds.SessionToken != "",
		timeout:   timeout,
		endpoint:  stsEndpoint(region),
	}, nil
}

// stsEndpoint is where calls go, for messages: the endpoint override the
// SDK honours, else the regional endpoint.
func stsEndpoint(region string) string {
	if v := os.Getenv("AWS_ENDPOINT_URL_STS"); v != "" {
		return v
	}
	if v := os.Getenv("AWS_ENDPOINT_URL"); v != "" {
		return v
	}
	return "https://sts." + region + ".amazonaws.com"
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
	keys := make([]string, 0, len(in.Tags))
	for k := range in.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
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
		return newError(ErrMFARequired, nil, "MFA code required for %s: pass --mfa-token", serial)
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

// profileEnvMu serialises loadConfigIgnoringProfile's change to the
// environment.
var profileEnvMu sync.Mutex

// loadConfigIgnoringProfile runs config.LoadDefaultConfig as if
// AWS_PROFILE were unset. The SDK fails when AWS_PROFILE names a profile it
// cannot find, and with no shared files it finds none; yet a person's shell
// often exports AWS_PROFILE (the AWS CLI passes it on to credential_process),
// and it names an AWS profile, not anything sentinel's STS calls use. Naming
// a profile with config.WithSharedConfigProfile fails the same way, so the
// variable is cleared for the duration of the call and restored after.
func loadConfigIgnoringProfile(ctx context.Context, opts []func(*config.LoadOptions) error) (aws.Config, error) {
	profileEnvMu.Lock()
	defer profileEnvMu.Unlock()
	if v, ok := os.LookupEnv("AWS_PROFILE"); ok {
		os.Unsetenv("AWS_PROFILE")
		defer os.Setenv("AWS_PROFILE", v)
	}
	return config.LoadDefaultConfig(ctx, opts...)
}
