package awsrevoke

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sentinel-cli/sentinel/vault"
)

// RolePolicies is what the writer asks of IAM in one account, for the
// roles there (named by RoleName, the last part of their ARN). *vault.IAM
// implements it.
type RolePolicies interface {
	ListRolePolicies(ctx context.Context, roleName string) ([]string, error)
	GetRolePolicy(ctx context.Context, roleName, policyName string) (string, error)
	PutRolePolicy(ctx context.Context, roleName, policyName, doc string) error
	DeleteRolePolicy(ctx context.Context, roleName, policyName string) error
}

// ClientFor returns the IAM client that edits roles in account.
type ClientFor func(ctx context.Context, account string) (RolePolicies, error)

// ErrNoRevoker means no revoker role is configured for the account of a
// role that needs its policy written, and the account is not the
// caller's own.
var ErrNoRevoker = errors.New("no revoker role configured for the account")

// RevokerSessionName is the role session name of the revoker sessions,
// so that CloudTrail says who edited the roles.
const RevokerSessionName = "sentinel-revoker"

// revokerRefresh is how long before their expiry revoker credentials are
// assumed afresh.
const revokerRefresh = 5 * time.Minute

// Accounts builds the IAM client of each account: signed by the account's
// revoker role (assumed with Base through STS), or by Base itself in the
// caller's own account when no revoker is named for it. Revoker
// credentials are kept until shortly before they expire. It is safe for
// concurrent use.
type Accounts struct {
	// Revokers maps account IDs to revoker role ARNs.
	Revokers map[string]string
	// Own is the caller's own account ID; "" when unknown: then
	// OwnAccount, when set, is asked once (GetCallerIdentity), else every
	// account needs a revoker.
	Own        string
	OwnAccount func(ctx context.Context) (string, error)
	// Base returns the caller's base credentials: the service's role, or
	// the administrator's keys.
	Base func(ctx context.Context) (vault.Credentials, error)
	// STS builds the client that assumes the revokers.
	STS vault.STSFactory
	// IAM configures the IAM clients (endpoint AWS_ENDPOINT_URL_IAM, read
	// once at start).
	IAM vault.IAMOptions
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu    sync.Mutex
	cache map[string]cachedClient
}

type cachedClient struct {
	client  RolePolicies
	expires time.Time
}

// Client returns the IAM client for account.
func (a *Accounts) Client(ctx context.Context, account string) (RolePolicies, error) {
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	a.mu.Lock()
	c, ok := a.cache[account]
	a.mu.Unlock()
	if ok && (c.expires.IsZero() || now().Add(revokerRefresh).Before(c.expires)) {
		return c.client, nil
	}
	base, err := a.Base(ctx)
	if err != nil {
		return nil, &Error{Op: "credentials", Err: err}
	}
	creds := base
	revoker, named := a.Revokers[account]
	switch {
	case named:
		st, err := a.STS(ctx, "", base)
		if err != nil {
			return nil, &Error{Op: "assume revoker", Role: revoker, Err: err}
		}
		got, err := st.AssumeRoleDetails(ctx, vault.AssumeRoleInput{RoleARN: revoker, SessionName: RevokerSessionName, Duration: time.Hour})
		if err != nil {
			return nil, &Error{Op: "assume revoker", Role: revoker, Err: err}
		}
		creds = got.Credentials
	case account != a.own(ctx):
		return nil, &Error{Op: "assume revoker", Err: fmt.Errorf("account %s: %w", account, ErrNoRevoker)}
	}
	client, err := vault.NewIAM(creds, a.IAM)
	if err != nil {
		return nil, &Error{Op: "iam client", Err: err}
	}
	return a.keep(account, client, named, creds.Expires), nil
}

// keep caches a revoker's client until shortly before its credentials
// expire.
func (a *Accounts) keep(account string, client RolePolicies, named bool, expires time.Time) RolePolicies {
	if !named {
		// The base credentials are asked for again each time: the
		// caller's provider caches and refreshes them.
		return client
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cache == nil {
		a.cache = map[string]cachedClient{}
	}
	a.cache[account] = cachedClient{client: client, expires: expires}
	return client
}

// own returns the caller's account: Own, else OwnAccount's answer (kept
// once known), else "".
func (a *Accounts) own(ctx context.Context) string {
	a.mu.Lock()
	own := a.Own
	a.mu.Unlock()
	if own != "" || a.OwnAccount == nil {
		return own
	}
	got, err := a.OwnAccount(ctx)
	if err != nil || got == "" {
		return ""
	}
	a.mu.Lock()
	a.Own = got
	a.mu.Unlock()
	return got
}
