// Package server holds sentinel's HTTP doors. The first is the
// container-credentials endpoint of `sentinel exec --server`: a loopback
// HTTP server that every AWS SDK and the AWS CLI can fetch credentials
// from (AWS_CONTAINER_CREDENTIALS_FULL_URI with
// AWS_CONTAINER_AUTHORIZATION_TOKEN), so that the broker decides again on
// every refresh.
//
// The package knows the wire protocol and nothing of policy: a Source runs
// the decision flow and classifies its failures with ErrDenied,
// ErrRevoked and ErrUnavailable; every other failure is a 500 whose text
// the client never sees.
package server
