// Package fakesignin is a stand-in for the AWS console federation endpoint
// (https://signin.aws.amazon.com/federation) on loopback. It answers
// Action=getSigninToken as AWS does: temporary credentials that STS issued
// (checked against the STS stand-in in internal/fakests) become a sign-in
// token, except GetSessionToken credentials, which the real endpoint
// refuses; SessionDuration is accepted for role sessions only, 15 minutes
// to 12 hours. Every sign-in is recorded for tests to inspect.
package fakesignin
