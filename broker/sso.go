package broker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/vault"
)

// ssoDirectNote is the decision log's note for credentials that are IAM
// Identity Center role credentials themselves.
const ssoDirectNote = "IAM Identity Center profile: the portal's role credentials, no SourceIdentity could be stamped and their lifetime cannot be capped"

// ErrSSOUncappable is matched by a refusal of an IAM Identity Center
// profile used directly where credentials must be capped or stamped:
// GetRoleCredentials takes no duration, tags or SourceIdentity. It also
// matches ErrDenied.
var ErrSSOUncappable = errors.New("IAM Identity Center credentials cannot be capped or stamped")

// ErrSSONotConfigured means the broker has no IAM Identity Center engine
// (Broker.SSO is nil) and a profile needs one.
var ErrSSONotConfigured = errors.New("IAM Identity Center is not configured in this broker")

// SSOUncappableError says why an IAM Identity Center profile used directly
// was refused: server mode (every credential must carry the session tag),
// or a limit of the policy (a max_duration, a time window, an approval or
// break-glass window) ending before its credentials.
type SSOUncappableError struct {
	Profile string
	// Server is true in server mode.
	Server bool
	// Grant names the limit: the approval or break-glass event, the rule's
	// time window or max_duration, or the pin's max_duration ("" in server
	// mode); WindowEnd is when it ends and Expires when the credentials
	// would.
	Grant     string
	WindowEnd time.Time
	Expires   time.Time
}

func (e *SSOUncappableError) Error() string {
	if e.Server {
		return fmt.Sprintf("profile %s gets IAM Identity Center role credentials, which cannot carry the server session's tag or SourceIdentity", e.Profile)
	}
	return fmt.Sprintf("profile %s gets IAM Identity Center role credentials until %s, which cannot be capped to the end of %s at %s",
		e.Profile, e.Expires.UTC().Format(time.RFC3339), e.Grant, e.WindowEnd.UTC().Format(time.RFC3339))
}

// Is makes errors.Is match ErrSSOUncappable and ErrDenied.
func (e *SSOUncappableError) Is(target error) bool {
	return target == ErrSSOUncappable || target == ErrDenied
}

// ssoPinBase is what a policy pin of an IAM Identity Center profile is
// checked against: the account and role name of its base, or nil for a
// chain that starts from stored keys.
func ssoPinBase(chain *vault.Chain) *policy.SSOBase {
	if chain.SSO == nil {
		return nil
	}
	return &policy.SSOBase{Account: chain.SSO.AccountID, RoleName: chain.SSO.RoleName}
}

// checkSSOServer refuses an IAM Identity Center profile used directly in
// server mode.
func checkSSOServer(chain *vault.Chain, in Input) error {
	if chain.SSODirect() && in.Server != nil {
		return &SSOUncappableError{Profile: in.Profile, Server: true}
	}
	return nil
}

// ssoBase returns the IAM Identity Center role credentials at the base of
// chain and who STS says they belong to: from the keyring cache (keyed by
// sign-in, account and role, one read) while they have more than
// vault.ReuseMargin left, else from the portal (signing in when needed and
// possible) and GetCallerIdentity, then cached. cached reports a hit.
func (b *Broker) ssoBase(ctx context.Context, chain *vault.Chain, region string) (e vault.SSORoleEntry, cached bool, err error) {
	key := vault.SSORoleKeyFor(chain.SSO)
	e, ok, err := b.Cache.SSORole(key)
	switch {
	case err != nil:
		b.debugf("cache: SSO role %s in %s cannot be read (%v): asking the portal", chain.SSO.RoleName, chain.SSO.AccountID, err)
	case ok:
		return e, true, nil
	}
	if b.SSO == nil {
		return vault.SSORoleEntry{}, false, ErrSSONotConfigured
	}
	creds, err := b.SSO.RoleCredentials(ctx, chain.SSO)
	if err != nil {
		return vault.SSORoleEntry{}, false, fmt.Errorf("profile %s: %w", chain.Base.Name, err)
	}
	client, err := b.stsClient(ctx, region, creds)
	if err != nil {
		return vault.SSORoleEntry{}, false, err
	}
	id, err := client.GetCallerIdentity(ctx)
	if err != nil {
		return vault.SSORoleEntry{}, false, fmt.Errorf("identify the caller of profile %s: %w", chain.Base.Name, err)
	}
	e = vault.SSORoleEntry{Credentials: creds, Identity: id}
	b.ssoFetched.Store(creds.AccessKeyID)
	if err := b.Cache.PutSSORole(key, e); err != nil {
		b.debugf("SSO role credentials not cached: %v", err)
	}
	return e, false, nil
}

// cachedSSODirect is cachedRole for a profile that uses IAM Identity
// Center role credentials directly: their own cache entry, one read.
func (b *Broker) cachedSSODirect(chain *vault.Chain) (vault.RoleEntry, bool) {
	e, ok, err := b.Cache.SSORole(vault.SSORoleKeyFor(chain.SSO))
	if err != nil || !ok {
		b.debugf("cache: miss for SSO profile %s", chain.Target.Name)
		return vault.RoleEntry{}, false
	}
	return vault.RoleEntry{Credentials: e.Credentials, Identity: e.Identity}, true
}

// ssoDirectCredentials fills grant for a profile that uses IAM Identity
// Center role credentials directly. Their lifetime is the permission
// set's and cannot be capped: when the policy limits them to less (limit:
// a rule's or the pin's max_duration, a time window, an approval or
// break-glass window) they are refused.
func (b *Broker) ssoDirectCredentials(ctx context.Context, chain *vault.Chain, caller vault.Identity, limit policyLimit, in Input, cached *vault.RoleEntry, grant *Grant, now time.Time) error {
	var creds vault.Credentials
	if cached != nil && cached.Identity == caller {
		creds, grant.Cached = cached.Credentials, true
	} else {
		e, hit, err := b.ssoBase(ctx, chain, stsRegion(chain, in))
		if err != nil {
			return err
		}
		if e.Identity != caller {
			return fmt.Errorf("profile %s: the IAM Identity Center credentials belong to %s, not %s", in.Profile, e.Identity.ARN, caller.ARN)
		}
		// A hit on what callerIdentity fetched moments ago is not a
		// cached answer.
		creds, grant.Cached = e.Credentials, hit && b.ssoFetched.Load() != e.Credentials.AccessKeyID
	}
	if !limit.end.IsZero() && creds.Expires.After(limit.end.Add(clockSkew)) {
		return &SSOUncappableError{Profile: in.Profile, Grant: limit.describe(), WindowEnd: limit.end, Expires: creds.Expires}
	}
	grant.Credentials = creds
	return nil
}

// policyLimit is the earliest end the policy puts on credentials, whatever
// the person asked for: what names it ("rule dev's max_duration (30m)",
// "approval 1a2b..."), end is zero when nothing limits them.
type policyLimit struct {
	end time.Time
	// what the limit is, named by name (a rule, profile or grant) with
	// max for the two max_durations; describe puts it in words, only
	// for the error that shows it, so that a decision formats nothing.
	what limitKind
	name string
	max  time.Duration
}

// limitKind is which limit of the policy a policyLimit is.
type limitKind int

const (
	limitNone limitKind = iota
	limitRuleMax
	limitPinMax
	limitGrant
	limitRuleWindow
)

// describe is the limit in words.
func (l policyLimit) describe() string {
	switch l.what {
	case limitRuleMax:
		return fmt.Sprintf("rule %s's max_duration (%s)", l.name, l.max)
	case limitPinMax:
		return fmt.Sprintf("the max_duration of profile %s's pin (%s)", l.name, l.max)
	case limitRuleWindow:
		return fmt.Sprintf("rule %s's time window", l.name)
	}
	return l.name
}

// policyLimitOf finds the policy's earliest limit on credentials issued
// now: the rule's max_duration, the pin's, and the end of the window the
// access depends on (the rule's time window, or the approval or
// break-glass window named grantName).
func policyLimitOf(dec policy.Decision, pinMax time.Duration, profile string, windowEnd time.Time, grantName string, now time.Time) policyLimit {
	var l policyLimit
	earlier := func(end time.Time, what policyLimit) {
		if !end.IsZero() && (l.end.IsZero() || end.Before(l.end)) {
			l = what
			l.end = end
		}
	}
	if dec.MaxDuration > 0 {
		earlier(now.Add(dec.MaxDuration), policyLimit{what: limitRuleMax, name: dec.Rule, max: dec.MaxDuration})
	}
	if pinMax > 0 {
		earlier(now.Add(pinMax), policyLimit{what: limitPinMax, name: profile, max: pinMax})
	}
	if grantName != "" {
		earlier(windowEnd, policyLimit{what: limitGrant, name: grantName})
	} else {
		earlier(windowEnd, policyLimit{what: limitRuleWindow, name: dec.Rule})
	}
	return l
}

// dropBaseSession forgets the cached credentials the first AssumeRole of
// chain was signed with, after STS refused them.
func (b *Broker) dropBaseSession(chain *vault.Chain) error {
	if chain.SSO != nil {
		b.Cache.ClearSSORole(vault.SSORoleKeyFor(chain.SSO))
		return nil
	}
	return b.Cache.ClearSession(chain.Base.Name)
}

// signerFor signs remote store calls with the base credentials of chain:
// the stored keys, or the IAM Identity Center role credentials.
func (b *Broker) signerFor(chain *vault.Chain) Signer {
	if chain.SSO == nil {
		base := chain.Base.Name
		return func(ctx context.Context) (vault.Credentials, error) { return b.baseKeys(ctx, base) }
	}
	return func(ctx context.Context) (vault.Credentials, error) {
		e, _, err := b.ssoBase(ctx, chain, chain.Region)
		return e.Credentials, err
	}
}
