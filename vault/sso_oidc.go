package vault

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
)

// OAuth grant types of the device sign-in and of a refresh.
const (
	grantDeviceCode   = "urn:ietf:params:oauth:grant-type:device_code"
	grantRefreshToken = "refresh_token"
)

// defaultPollInterval is the wait between polls when the service names
// none; slowDownStep is what a slow_down answer adds to it (RFC 8628).
const (
	defaultPollInterval = 5 * time.Second
	slowDownStep        = 5 * time.Second
)

// registrationMargin is how long a cached client registration must still
// be valid to be reused for a new sign-in.
const registrationMargin = time.Hour

// Token returns a usable token for sess, as the AWS CLI would: the cached
// one while more than SSORefreshWindow is left; else a refreshed one when
// it has a refresh token (the cached one, if still valid, when the
// refresh fails); else a new device sign-in when SignIn is set; else an
// *SSOLoginRequiredError. profile is only used in that error.
func (s *SSO) Token(ctx context.Context, sess SSOSessionConfig, profile string) (SSOToken, error) {
	now := s.now()
	tok, found, err := s.Tokens.Load(sess)
	if err != nil {
		return SSOToken{}, err
	}
	if found && tok.ExpiresAt.Sub(now) > SSORefreshWindow {
		return tok, nil
	}
	valid := found && now.Before(tok.ExpiresAt)
	if found && sess.Name != "" && tok.canRefresh(now) {
		fresh, rerr := s.refresh(ctx, sess, tok)
		if rerr == nil {
			return fresh, nil
		}
		if valid {
			return tok, nil
		}
	}
	if valid {
		return tok, nil
	}
	reason := "no token"
	if found {
		reason = "token expired"
	}
	return s.loginOrFail(ctx, sess, profile, reason)
}

// loginOrFail runs a device sign-in when there is someone to show it to,
// else says that one is needed.
func (s *SSO) loginOrFail(ctx context.Context, sess SSOSessionConfig, profile, reason string) (SSOToken, error) {
	if s.SignIn == nil {
		return SSOToken{}, &SSOLoginRequiredError{Profile: profile, Session: sess.Label(), Reason: reason}
	}
	return s.Login(ctx, sess, s.SignIn)
}

// refresh exchanges tok's refresh token for a new token and caches it.
func (s *SSO) refresh(ctx context.Context, sess SSOSessionConfig, tok SSOToken) (SSOToken, error) {
	client, err := s.oidcClient(sess.Region)
	if err != nil {
		return SSOToken{}, err
	}
	cctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	out, err := client.CreateToken(cctx, &ssooidc.CreateTokenInput{
		ClientId:     aws.String(tok.ClientID),
		ClientSecret: aws.String(tok.ClientSecret),
		GrantType:    aws.String(grantRefreshToken),
		RefreshToken: aws.String(tok.RefreshToken),
	})
	if err != nil {
		return SSOToken{}, mapSSOError("CreateToken (refresh)", err)
	}
	return s.keepToken(sess, out, tok)
}

// keepToken caches and returns the token of a CreateToken answer for
// sess, keeping the client registration of prev and its refresh token when
// no new one was sent.
func (s *SSO) keepToken(sess SSOSessionConfig, out *ssooidc.CreateTokenOutput, prev SSOToken) (SSOToken, error) {
	if aws.ToString(out.AccessToken) == "" || out.ExpiresIn <= 0 {
		return SSOToken{}, newError(ErrSSO, nil, "IAM Identity Center CreateToken: the answer holds no token")
	}
	tok := prev
	tok.AccessToken = aws.ToString(out.AccessToken)
	tok.ExpiresAt = s.now().Add(time.Duration(out.ExpiresIn) * time.Second).Truncate(time.Second)
	if r := aws.ToString(out.RefreshToken); r != "" {
		tok.RefreshToken = r
	}
	if err := s.Tokens.Store(sess, tok); err != nil {
		return SSOToken{}, err
	}
	return tok, nil
}

// Login runs the OIDC device sign-in for sess: it registers a client (or
// reuses the registration cached with the last token), starts a device
// authorization, shows its page and code with show, and polls for the
// token at the interval the service asks for, slowing down when told to,
// until the person approves (the token is cached and returned), denies
// (ErrSSODenied) or the code expires (ErrSSOExpired).
func (s *SSO) Login(ctx context.Context, sess SSOSessionConfig, show func(DeviceAuthorization) error) (SSOToken, error) {
	client, err := s.oidcClient(sess.Region)
	if err != nil {
		return SSOToken{}, err
	}
	reg, err := s.registration(ctx, client, sess)
	if err != nil {
		return SSOToken{}, err
	}
	cctx, cancel := context.WithTimeout(ctx, s.timeout())
	auth, err := client.StartDeviceAuthorization(cctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId:     aws.String(reg.ClientID),
		ClientSecret: aws.String(reg.ClientSecret),
		StartUrl:     aws.String(sess.StartURL),
	})
	cancel()
	if err != nil {
		return SSOToken{}, mapSSOError("StartDeviceAuthorization", err)
	}
	if aws.ToString(auth.DeviceCode) == "" || aws.ToString(auth.UserCode) == "" || aws.ToString(auth.VerificationUri) == "" {
		return SSOToken{}, newError(ErrSSO, nil, "IAM Identity Center StartDeviceAuthorization: incomplete answer")
	}
	expires := s.now().Add(time.Duration(auth.ExpiresIn) * time.Second)
	if err := show(DeviceAuthorization{
		VerificationURI:         aws.ToString(auth.VerificationUri),
		VerificationURIComplete: aws.ToString(auth.VerificationUriComplete),
		UserCode:                aws.ToString(auth.UserCode),
		ExpiresAt:               expires,
	}); err != nil {
		return SSOToken{}, err
	}
	interval := time.Duration(auth.Interval) * time.Second
	if interval <= 0 {
		interval = defaultPollInterval
	}
	for {
		if err := s.sleep(ctx, interval); err != nil {
			return SSOToken{}, err
		}
		if !s.now().Before(expires) {
			return SSOToken{}, ErrSSOExpired
		}
		cctx, cancel := context.WithTimeout(ctx, s.timeout())
		out, err := client.CreateToken(cctx, &ssooidc.CreateTokenInput{
			ClientId:     aws.String(reg.ClientID),
			ClientSecret: aws.String(reg.ClientSecret),
			GrantType:    aws.String(grantDeviceCode),
			DeviceCode:   auth.DeviceCode,
		}, func(o *ssooidc.Options) { o.RetryMaxAttempts = 1 })
		cancel()
		switch ssoErrorCode(err) {
		case "":
		case "AuthorizationPendingException":
			continue
		case "SlowDownException":
			interval += slowDownStep
			continue
		case "AccessDeniedException":
			return SSOToken{}, ErrSSODenied
		case "ExpiredTokenException":
			return SSOToken{}, ErrSSOExpired
		}
		if err != nil {
			return SSOToken{}, mapSSOError("CreateToken", err)
		}
		return s.keepToken(sess, out, reg)
	}
}

// registration returns a client registration for sess: the one cached
// with the last token while it has more than registrationMargin left, else
// a new one. The returned token holds only the registration.
func (s *SSO) registration(ctx context.Context, client *ssooidc.Client, sess SSOSessionConfig) (SSOToken, error) {
	now := s.now()
	if old, found, err := s.Tokens.Load(sess); err == nil && found && old.ClientID != "" && old.ClientSecret != "" && old.RegistrationExpiresAt.Sub(now) > registrationMargin {
		return SSOToken{ClientID: old.ClientID, ClientSecret: old.ClientSecret, RegistrationExpiresAt: old.RegistrationExpiresAt, StartURL: sess.StartURL, Region: sess.Region}, nil
	}
	name := cmp.Or(s.ClientName, "sentinel")
	if sess.Name != "" {
		name += "-" + sess.Name
	}
	in := &ssooidc.RegisterClientInput{ClientName: aws.String(name), ClientType: aws.String("public")}
	if len(sess.Scopes) > 0 {
		in.Scopes = sess.Scopes
		in.GrantTypes = []string{grantDeviceCode, grantRefreshToken}
		in.IssuerUrl = aws.String(sess.StartURL)
	}
	cctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	out, err := client.RegisterClient(cctx, in)
	if err != nil {
		return SSOToken{}, mapSSOError("RegisterClient", err)
	}
	if aws.ToString(out.ClientId) == "" || aws.ToString(out.ClientSecret) == "" {
		return SSOToken{}, newError(ErrSSO, nil, "IAM Identity Center RegisterClient: incomplete answer")
	}
	return SSOToken{
		ClientID:              aws.ToString(out.ClientId),
		ClientSecret:          aws.ToString(out.ClientSecret),
		RegistrationExpiresAt: time.Unix(out.ClientSecretExpiresAt, 0).UTC(),
		StartURL:              sess.StartURL,
		Region:                sess.Region,
	}, nil
}

// String says which sign-in a session config is, for debug lines.
func (s SSOSessionConfig) String() string {
	return fmt.Sprintf("sso-session %s (%s, %s)", s.Label(), s.StartURL, s.Region)
}
