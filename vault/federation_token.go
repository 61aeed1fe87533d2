package vault

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// FederationTokenClient is the part of STS a console sign-in needs for a
// profile without a role: the federation endpoint refuses GetSessionToken
// credentials but accepts GetFederationToken ones. *STS implements it.
type FederationTokenClient interface {
	GetFederationToken(ctx context.Context, name string, duration time.Duration) (Credentials, error)
}

// allowAllPolicy is the session policy of a federation token. Without a
// session policy a federated session has no permissions at all; with it,
// the session has exactly the calling user's permissions (the effective
// permissions are the intersection of the two).
const allowAllPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// GetFederationToken exchanges long-lived keys for federated-user
// credentials named name, lasting duration (0 = the STS default of 12
// hours). STS refuses it with session credentials or an MFA code.
func (s *STS) GetFederationToken(ctx context.Context, name string, duration time.Duration) (Credentials, error) {
	in := &sts.GetFederationTokenInput{Name: aws.String(name), Policy: aws.String(allowAllPolicy)}
	if duration > 0 {
		in.DurationSeconds = aws.Int32(int32(duration / time.Second))
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	out, err := s.client.GetFederationToken(ctx, in)
	if err != nil {
		return Credentials{}, s.mapError(ctx, "GetFederationToken", err, false)
	}
	return fromSTSCredentials("GetFederationToken", out.Credentials)
}
