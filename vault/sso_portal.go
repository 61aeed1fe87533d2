package vault

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
)

// errTokenRejected marks a portal answer refusing the bearer token.
var errTokenRejected = errors.New("token rejected by the portal")

// RoleCredentials returns the portal's credentials for the account and
// role of base, signing in first when needed (see Token). A token the
// portal rejects leads to one new sign-in when SignIn is set, else to an
// *SSOLoginRequiredError. GetRoleCredentials takes no duration, tags or
// SourceIdentity: the credentials last as long as the permission set says.
func (s *SSO) RoleCredentials(ctx context.Context, base *SSOBase) (Credentials, error) {
	tok, err := s.Token(ctx, base.Session, base.Profile)
	if err != nil {
		return Credentials{}, err
	}
	creds, err := s.getRoleCredentials(ctx, base, tok)
	if !errors.Is(err, errTokenRejected) {
		return creds, err
	}
	// The token was revoked or signed out elsewhere: it is useless, so a
	// new sign-in replaces it.
	tok, err = s.loginOrFail(ctx, base.Session, base.Profile, "token rejected")
	if err != nil {
		return Credentials{}, err
	}
	creds, err = s.getRoleCredentials(ctx, base, tok)
	if errors.Is(err, errTokenRejected) {
		return Credentials{}, newError(ErrSSO, err, "IAM Identity Center GetRoleCredentials: a new token was rejected too")
	}
	return creds, err
}

// getRoleCredentials is one GetRoleCredentials call.
func (s *SSO) getRoleCredentials(ctx context.Context, base *SSOBase, tok SSOToken) (Credentials, error) {
	client, err := s.portalClient(base.Session.Region)
	if err != nil {
		return Credentials{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	out, err := client.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
		AccessToken: aws.String(tok.AccessToken),
		AccountId:   aws.String(base.AccountID),
		RoleName:    aws.String(base.RoleName),
	})
	switch ssoErrorCode(err) {
	case "":
	case "UnauthorizedException":
		return Credentials{}, errTokenRejected
	case "ForbiddenException", "ResourceNotFoundException":
		return Credentials{}, newError(ErrSSOForbidden, nil, "IAM Identity Center: no access to role %s in account %s", base.RoleName, base.AccountID)
	}
	if err != nil {
		return Credentials{}, mapSSOError("GetRoleCredentials", err)
	}
	rc := out.RoleCredentials
	if rc == nil || aws.ToString(rc.AccessKeyId) == "" || aws.ToString(rc.SecretAccessKey) == "" || aws.ToString(rc.SessionToken) == "" || rc.Expiration <= 0 {
		return Credentials{}, newError(ErrSSO, nil, "IAM Identity Center GetRoleCredentials: the answer holds no complete credentials")
	}
	return Credentials{
		AccessKeyID:     aws.ToString(rc.AccessKeyId),
		SecretAccessKey: aws.ToString(rc.SecretAccessKey),
		SessionToken:    aws.ToString(rc.SessionToken),
		Expires:         time.UnixMilli(rc.Expiration).UTC(),
	}, nil
}
