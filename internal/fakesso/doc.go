// Package fakesso is an IAM Identity Center stand-in for tests: the OIDC
// API (RegisterClient, StartDeviceAuthorization, CreateToken with the
// device-code and refresh-token grants) and the portal's
// GetRoleCredentials, spoken in the REST-JSON protocols the AWS SDK's
// ssooidc and sso clients use. Point the clients at it with
// AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO (both the same URL).
//
// The person's answers to the device sign-in are scripted with SetAnswers
// (pending, slow_down, approve, deny, expire), so a test drives every
// branch of a poller without waiting for a person.
package fakesso
