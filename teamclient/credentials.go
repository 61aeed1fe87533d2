package teamclient

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/vault"
)

// credentialsInput is the body of POST /v1/credentials.
type credentialsInput struct {
	Profile         string `json:"profile"`
	DurationSeconds int64  `json:"duration_seconds,omitempty"`
	SessionID       string `json:"session_id,omitempty"`
}

// credentialsAnswer is the answer of POST /v1/credentials.
type credentialsAnswer struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken"`
	Expiration      string `json:"Expiration"`
	SourceIdentity  string `json:"SourceIdentity"`
	SessionID       string `json:"SessionID"`
	RequestID       string `json:"RequestID"`
}

// Issue asks the service for credentials for in.Profile
// (POST /v1/credentials). Only Profile, Duration, Region and Mode of in are
// used: the service decides with its own policy and keys, so MFA and
// NoSession do not apply, and the region only fills the grant's Region for
// the command's environment.
//
// In server mode (in.Mode is policy.ModeServer, or in.Server is set) the
// client keeps the session_id of the first answer and passes it on every
// later call, so that every refresh of `exec --server` continues, and is
// checked against, one session on the service.
func (c *Client) Issue(ctx context.Context, in broker.Input) (*broker.Grant, error) {
	if in.Profile == "" {
		return nil, fmt.Errorf("no profile given")
	}
	if in.Duration < 0 {
		return nil, fmt.Errorf("duration %s is negative", in.Duration)
	}
	serverMode := in.Mode == policy.ModeServer || in.Server != nil
	body := credentialsInput{Profile: in.Profile, DurationSeconds: int64(in.Duration / time.Second)}
	if serverMode {
		if in.Duration == 0 && in.Server != nil && in.Server.Duration > 0 {
			body.DurationSeconds = int64(in.Server.Duration / time.Second)
		}
		c.mu.Lock()
		body.SessionID = c.sesID
		c.mu.Unlock()
	}
	var a credentialsAnswer
	if err := c.call(ctx, http.MethodPost, "/v1/credentials", nil, body, &a, kindCredentials, true); err != nil {
		return nil, err
	}
	expires, err := time.Parse(time.RFC3339, a.Expiration)
	if err != nil {
		return nil, fmt.Errorf("%w: POST /v1/credentials: Expiration is not an RFC 3339 time", ErrBadAnswer)
	}
	if a.AccessKeyID == "" || a.SecretAccessKey == "" || a.SessionToken == "" {
		return nil, fmt.Errorf("%w: POST /v1/credentials: incomplete credentials", ErrBadAnswer)
	}
	if !expires.After(c.now()) {
		return nil, fmt.Errorf("%w: POST /v1/credentials: credentials expired at %s", ErrBadAnswer, expires.UTC().Format(time.RFC3339))
	}
	if serverMode {
		if a.SessionID == "" {
			return nil, fmt.Errorf("%w: POST /v1/credentials: no SessionID in server mode", ErrBadAnswer)
		}
		c.mu.Lock()
		if c.sesID != "" && c.sesID != a.SessionID {
			c.debugf("team service replaced session %s with %s", c.sesID, a.SessionID)
		}
		c.sesID = a.SessionID
		c.mu.Unlock()
	}
	return &broker.Grant{
		Credentials: vault.Credentials{
			AccessKeyID: a.AccessKeyID, SecretAccessKey: a.SecretAccessKey, SessionToken: a.SessionToken, Expires: expires.UTC(),
		},
		Profile:        in.Profile,
		Region:         in.Region,
		RequestID:      safeMessage(a.RequestID),
		SourceIdentity: safeMessage(a.SourceIdentity),
		SessionID:      safeMessage(a.SessionID),
	}, nil
}

// SessionID is the server-mode session the service issued the last
// credentials for ("" before the first).
func (c *Client) SessionID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sesID
}

// whoamiAnswer is the answer of GET /v1/whoami.
type whoamiAnswer struct {
	ARN     string `json:"arn"`
	Account string `json:"account"`
	User    string `json:"user"`
}

// Whoami asks the service who the proof says the caller is
// (GET /v1/whoami).
func (c *Client) Whoami(ctx context.Context) (vault.Identity, error) {
	var a whoamiAnswer
	if err := c.call(ctx, http.MethodGet, "/v1/whoami", nil, nil, &a, kindNone, true); err != nil {
		return vault.Identity{}, err
	}
	id, err := vault.ParseIdentity(a.ARN, a.Account, "")
	if err != nil {
		return vault.Identity{}, fmt.Errorf("%w: GET /v1/whoami: %v", ErrBadAnswer, err)
	}
	if a.User != "" && a.User != id.Name {
		return vault.Identity{}, fmt.Errorf("%w: GET /v1/whoami: user %q does not match the ARN", ErrBadAnswer, safeMessage(a.User))
	}
	return id, nil
}
