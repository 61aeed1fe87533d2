package fakesso

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/smithy-go"
)

// The stand-in speaks to the SDK's own clients, errors included.
func TestProtocolWithTheSDKClients(t *testing.T) {
	s := New()
	defer s.Close()
	s.AssignRole("111122223333", "Admin")
	ctx := context.Background()
	oidc := ssooidc.New(ssooidc.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.URL()), RetryMaxAttempts: 1})
	portal := sso.New(sso.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.URL()), RetryMaxAttempts: 1})

	code := func(err error) string {
		var api smithy.APIError
		if errors.As(err, &api) {
			return api.ErrorCode()
		}
		return ""
	}
	_, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: aws.String("nope"), ClientSecret: aws.String("x"), StartUrl: aws.String("https://x")})
	if code(err) != "InvalidClientException" {
		t.Errorf("unknown client: %v", err)
	}
	reg, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("t"), ClientType: aws.String("public"), Scopes: []string{"sso:account:access"}})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String("https://x")})
	if err != nil || auth.Interval != 1 || auth.ExpiresIn != 600 {
		t.Fatalf("StartDeviceAuthorization: %+v %v", auth, err)
	}
	s.SetAnswers(Pending)
	poll := func() (*ssooidc.CreateTokenOutput, error) {
		return oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: auth.DeviceCode})
	}
	if _, err := poll(); code(err) != "AuthorizationPendingException" {
		t.Fatalf("first poll: %v", err)
	}
	tok, err := poll()
	if err != nil || aws.ToString(tok.RefreshToken) == "" {
		t.Fatalf("second poll: %+v %v", tok, err)
	}
	if _, err := poll(); code(err) != "InvalidGrantException" {
		t.Errorf("a used device code: %v", err)
	}
	_, err = portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: aws.String("wrong"), AccountId: aws.String("111122223333"), RoleName: aws.String("Admin")})
	if code(err) != "UnauthorizedException" {
		t.Errorf("wrong token: %v", err)
	}
	rc, err := portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: aws.String("111122223333"), RoleName: aws.String("Admin")})
	if err != nil || rc.RoleCredentials.Expiration <= time.Now().UnixMilli() {
		t.Fatalf("GetRoleCredentials: %v", err)
	}
	if _, err := portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: aws.String("111122223333"), RoleName: aws.String("Other")}); code(err) != "ForbiddenException" {
		t.Errorf("unassigned role: %v", err)
	}
	// Refresh tokens rotate: the old one is spent.
	refresh := func(r *string) error {
		_, err := oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, GrantType: aws.String("refresh_token"), RefreshToken: r})
		return err
	}
	if err := refresh(tok.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if err := refresh(tok.RefreshToken); code(err) != "InvalidGrantException" {
		t.Errorf("a spent refresh token: %v", err)
	}
}
