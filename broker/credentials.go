package broker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sentinel-cli/sentinel/vault"
)

// sessionDuration is the lifetime of the cached GetSessionToken credentials
// of a base profile: a working day, so an MFA code is asked for once.
const sessionDuration = 8 * time.Hour

// clockSkew is how far STS's clock may be ahead of ours: cached
// credentials whose expiry overshoots the current cap by no more than this
// are still reused, or a laptop a few seconds behind STS would never hit
// the cache. It is the only slack in "credentials never outlive the grant",
// and the slack allowed when an explicit --duration must be covered.
const clockSkew = time.Minute

// requestIDTag is the session tag that carries the request ID to CloudTrail.
const requestIDTag = "sentinel-request-id"

// stsRegion is the region of the STS endpoint the credentials come from:
// the one the request names (--region, else AWS_REGION or
// AWS_DEFAULT_REGION, as the cli resolved them), else the profile's.
func stsRegion(chain *vault.Chain, in Input) string {
	return firstNonEmpty(in.Region, chain.Region)
}

// stsClient builds an STS client with the broker's factory.
func (b *Broker) stsClient(ctx context.Context, region string, creds vault.Credentials) (vault.STSClient, error) {
	factory := b.STS
	if factory == nil {
		factory = vault.NewSTSFactory(vault.STSOptions{})
	}
	return factory(ctx, region, creds)
}

// keysOf names the base profile in an error saying that its long-lived
// keys were rejected, so that the cli can say which keys to replace.
func keysOf(err error, base string) error {
	var rejected *vault.KeysRejectedError
	if errors.As(err, &rejected) && rejected.Profile == "" {
		rejected.Profile = base
	}
	return err
}

// cachedRole reads the role credentials cached for this request and basis:
// one keyring read. An entry that cannot be read is a miss here: with a
// wrong passphrase the read of the long-lived keys that follows every miss
// fails with the same typed error before anything is written, and with the
// right one an unreadable entry is simply replaced.
func (b *Broker) cachedRole(chain *vault.Chain, in Input, basis string) (vault.RoleEntry, bool) {
	if chain.SSODirect() {
		return b.cachedSSODirect(chain)
	}
	key := vault.RoleKeyFor(chain, stsRegion(chain, in), basis)
	e, ok, err := b.Cache.Role(key)
	switch {
	case err != nil:
		b.debugf("cache: miss for profile %s (%s): the entry cannot be read: %v", in.Profile, basis, err)
		return vault.RoleEntry{}, false
	case ok:
		return e, true
	case b.Debugf != nil && b.Cache.HasRoleEntries(in.Profile):
		b.debugf("cache: miss for profile %s (%s): key changed (role chain, MFA device, external ID, region or basis differ from the cached entries)", in.Profile, basis)
	default:
		b.debugf("cache: miss for profile %s (%s): nothing cached", in.Profile, basis)
	}
	return vault.RoleEntry{}, false
}

// reusable says whether cached credentials may answer a request for d,
// and if not why. They must belong to the caller and must not outlive d
// (the cap of the rule, the profile and any grant). When --duration was
// given explicitly they must also still cover it: a person who asks for
// two hours gets two hours, not what is left of an earlier hour.
func reusable(e vault.RoleEntry, caller vault.Identity, d time.Duration, in Input, now time.Time) (string, bool) {
	left := e.Credentials.Expires.Sub(now).Round(time.Second)
	switch {
	case e.Identity != caller:
		return "issued to another identity", false
	case e.Credentials.Expires.After(now.Add(d + clockSkew)):
		return fmt.Sprintf("too long: %s left, more than the %s allowed now", left, d), false
	case in.Duration > 0 && left < d-clockSkew:
		return fmt.Sprintf("too short: %s left, --duration asks for %s", left, d), false
	}
	return fmt.Sprintf("%s left", left), true
}

// planCredentials settles what the credentials step of Issue hands out,
// with no call to STS and no write. When a set at hand fits d (see
// reusable and ServerSession.reuse) it fills grant with it and returns
// true. Otherwise it fills in what the fresh set will carry, the role it
// ends in and its SourceIdentity, so that the decision line can say so
// before STS is called, and returns false. cached is the keyring entry
// already read for this basis, if any; nil means look it up.
//
// An IAM Identity Center profile used directly is always at hand: its
// credentials are the portal's role credentials, which callerIdentity has
// just fetched (and cached) to learn who the caller is.
func (b *Broker) planCredentials(ctx context.Context, chain *vault.Chain, caller vault.Identity, basis string, d time.Duration, limit policyLimit, in Input, cached *vault.RoleEntry, grant *Grant, now time.Time) (bool, error) {
	switch {
	case in.Server != nil:
		// The keyring cache is not used in server mode: its credentials
		// carry no session tag.
		if g, ok := in.Server.reuse(basis, d, now); ok {
			b.debugf("server: reusing credentials issued under request %s (%s left)", g.RequestID, g.Credentials.Expires.Sub(now).Round(time.Second))
			grant.Credentials, grant.RoleARN, grant.SourceIdentity, grant.Cached = g.Credentials, g.RoleARN, g.SourceIdentity, true
			return true, nil
		}
	case chain.SSODirect():
		// Also for a console sign-in: the portal's role credentials sign
		// in as they are, as aws-vault does (there are no stored keys to
		// get a federation token with), and any policy limit they outlive
		// refuses them.
		return true, b.ssoDirectCredentials(ctx, chain, caller, limit, in, cached, grant, now)
	case in.Use == UseConsole:
		// Console credentials are always fresh, and never cached.
	default:
		if cached == nil && basis != BasisDirect {
			if e, ok := b.cachedRole(chain, in, basis); ok {
				cached = &e
			}
		}
		if e := cached; e != nil {
			why, ok := reusable(*e, caller, d, in, now)
			if ok {
				b.debugf("cache: hit for profile %s (%s): %s", in.Profile, basis, why)
				grant.Credentials = e.Credentials
				grant.RoleARN = e.RoleARN
				grant.SourceIdentity = e.SourceIdentity
				grant.Cached = true
				grant.blockCheckedAt, grant.cachedRequestID = e.BlockCheckedAt, e.RequestID
				return true, nil
			}
			b.debugf("cache: not used for profile %s (%s): %s", in.Profile, basis, why)
		}
	}
	if len(chain.Roles) > 0 {
		label, err := b.personLabel(caller)
		if err != nil {
			return false, err
		}
		si, err := FormatSourceIdentity(label, basis, grant.RequestID)
		if err != nil {
			return false, err
		}
		grant.RoleARN, grant.SourceIdentity = lastRoleARN(chain), si
	}
	return false, nil
}

// freshCredentials gets the fresh set planCredentials planned: from STS
// (or the federation endpoint's STS call for a console sign-in). It is
// called only once the decision line is written.
func (b *Broker) freshCredentials(ctx context.Context, chain *vault.Chain, caller vault.Identity, basis string, d time.Duration, in Input, grant *Grant) (vault.Credentials, error) {
	if in.Use == UseConsole && in.Server == nil {
		return b.consoleCredentials(ctx, chain, caller, basis, d, in, grant)
	}
	return b.fetchCredentials(ctx, chain, caller, basis, d, in, grant)
}

// keepCredentials caches a fresh set once every check has passed: in the
// credential server's memory in server mode, else in the keyring (console
// credentials are never kept). A failed keyring write costs only the next
// warm path.
func (b *Broker) keepCredentials(chain *vault.Chain, caller vault.Identity, basis string, in Input, grant *Grant) {
	switch {
	case in.Server != nil:
		kept := *grant
		in.Server.cached, in.Server.cachedBasis = &kept, basis
	case in.Use == UseConsole:
	default:
		entry := vault.RoleEntry{Credentials: grant.Credentials, RoleARN: grant.RoleARN, SourceIdentity: grant.SourceIdentity, RequestID: grant.RequestID, Identity: caller, BlockCheckedAt: grant.blockCheckedAt}
		if err := b.Cache.PutRole(vault.RoleKeyFor(chain, stsRegion(chain, in), basis), entry); err != nil {
			b.debugf("credentials not cached: %v", err)
		}
	}
}

// fetchCredentials gets new credentials from STS: GetSessionToken for a
// profile without a role, else the role hops of the chain.
func (b *Broker) fetchCredentials(ctx context.Context, chain *vault.Chain, caller vault.Identity, basis string, d time.Duration, in Input, grant *Grant) (vault.Credentials, error) {
	if chain.SSODirect() {
		return vault.Credentials{}, &SSOUncappableError{Profile: in.Profile, Server: in.Server != nil}
	}
	if len(chain.Roles) == 0 {
		return b.sessionTokenCredentials(ctx, chain, d, in)
	}
	return b.assumeRoles(ctx, chain, caller, basis, d, in, grant)
}

// sessionTokenCredentials serves a profile without role_arn: its
// credentials are GetSessionToken credentials of its own keys, for d.
func (b *Broker) sessionTokenCredentials(ctx context.Context, chain *vault.Chain, d time.Duration, in Input) (vault.Credentials, error) {
	keys, err := b.baseKeys(ctx, chain.Base.Name)
	if err != nil {
		return vault.Credentials{}, err
	}
	code, err := b.mfaCode(chain.MFASerial, in.MFAToken)
	if err != nil {
		return vault.Credentials{}, err
	}
	client, err := b.stsClient(ctx, stsRegion(chain, in), keys)
	if err != nil {
		return vault.Credentials{}, err
	}
	creds, err := client.GetSessionToken(ctx, d, chain.MFASerial, code)
	if err != nil {
		return vault.Credentials{}, fmt.Errorf("get session token for profile %s: %w", chain.Base.Name, keysOf(err, chain.Base.Name))
	}
	return creds, nil
}

// assumeRoles walks the role hops of the chain from the base credentials,
// stamping every hop with the same SourceIdentity and request-ID tag (STS
// requires a chained session to keep the source identity it was given).
//
// The SourceIdentity is the one planCredentials put in grant, and already
// logged.
func (b *Broker) assumeRoles(ctx context.Context, chain *vault.Chain, caller vault.Identity, basis string, d time.Duration, in Input, grant *Grant) (vault.Credentials, error) {
	si := grant.SourceIdentity
	if si == "" {
		return vault.Credentials{}, errors.New("no SourceIdentity planned for the role chain")
	}
	label, err := b.personLabel(caller)
	if err != nil {
		return vault.Credentials{}, err
	}
	tags := map[string]string{requestIDTag: grant.RequestID}
	if grant.SessionID != "" {
		tags[sessionIDTag] = grant.SessionID
	}
	creds, err := b.assumeHops(ctx, chain, caller, si, RoleSessionName(label), d, in, tags)
	if errors.Is(err, errStaleSession) {
		// STS no longer honours the cached session (revoked, or the keys
		// were rotated): drop it and start again with a fresh one.
		if cerr := b.dropBaseSession(chain); cerr != nil {
			return vault.Credentials{}, cerr
		}
		creds, err = b.assumeHops(ctx, chain, caller, si, RoleSessionName(label), d, in, tags)
	}
	if err != nil {
		return vault.Credentials{}, err
	}
	return creds, nil
}

// errStaleSession marks an ExpiredToken answer to the first AssumeRole
// when it was signed with a cached session.
var errStaleSession = errors.New("cached session rejected by STS")

// assumeHops assumes each role of the chain in turn, starting from the base
// credentials.
func (b *Broker) assumeHops(ctx context.Context, chain *vault.Chain, caller vault.Identity, si, sessionName string, d time.Duration, in Input, tags map[string]string) (vault.Credentials, error) {
	cur, usedMFA, cached, err := b.baseCredentials(ctx, chain, caller, in)
	if err != nil {
		return vault.Credentials{}, err
	}
	// Every hop after the first is role chaining; so is the first when
	// the base is itself a role session (the service's own role on
	// Lambda, IAM Identity Center role credentials, keys saved with a
	// session token). STS refuses a chained AssumeRole over one hour
	// with a ValidationError, so such a chain is capped at one hour from
	// the start: the person gets shorter credentials, never an error.
	chained := startsFromRoleSession(b, chain, in, cur)
	region := stsRegion(chain, in)
	for i, role := range chain.Roles {
		hop := vault.AssumeRoleInput{
			RoleARN:        role.RoleARN,
			SessionName:    sessionName,
			ExternalID:     role.ExternalID,
			SourceIdentity: si,
			Duration:       d,
			Tags:           tags,
		}
		if (i > 0 || chained) && hop.Duration > maxChainedDuration {
			hop.Duration = maxChainedDuration
		}
		if i == 0 && chain.MFASerial != "" && !usedMFA {
			code, err := b.mfaCode(chain.MFASerial, in.MFAToken)
			if err != nil {
				return vault.Credentials{}, err
			}
			hop.MFASerial, hop.TokenCode = chain.MFASerial, code
		}
		client, err := b.stsClient(ctx, region, cur)
		if err != nil {
			return vault.Credentials{}, err
		}
		r, err := client.AssumeRoleDetails(ctx, hop)
		if i == 0 && cached && errors.Is(err, vault.ErrExpiredToken) {
			return vault.Credentials{}, fmt.Errorf("%w: %w", errStaleSession, err)
		}
		if err != nil {
			if i == 0 && in.NoSession {
				err = keysOf(err, chain.Base.Name)
			}
			return vault.Credentials{}, fmt.Errorf("assume role %s (profile %s): %w", role.RoleARN, role.Name, err)
		}
		cur = r.Credentials
	}
	return cur, nil
}

// startsFromRoleSession reports whether base, the credentials that sign
// the first AssumeRole of chain, may be a role session, which makes that
// first call role chaining. The broker's injected base credentials (the
// team service's own, from the SDK's default chain) and keys used
// directly (--no-session) count when they carry a session token; IAM
// Identity Center role credentials always do. A session from
// GetSessionToken, which the cache holds, is not a role session: STS
// lets it assume a role for up to 12 hours.
func startsFromRoleSession(b *Broker, chain *vault.Chain, in Input, base vault.Credentials) bool {
	switch {
	case b.BaseCredentials != nil:
		return base.SessionToken != ""
	case chain.SSO != nil:
		return true
	case in.NoSession:
		return base.SessionToken != ""
	}
	return false
}

// baseCredentials returns what the first AssumeRole is signed with: the
// cached session-token credentials of the base profile (fetched, with MFA
// when the profile has mfa_serial, on a miss), or with --no-session the
// long-lived keys. A cached session obtained without MFA (or with another
// device) never serves a chain that has mfa_serial. usedMFA reports
// whether an MFA code went into the credentials, cached whether they came
// from the cache.
func (b *Broker) baseCredentials(ctx context.Context, chain *vault.Chain, caller vault.Identity, in Input) (creds vault.Credentials, usedMFA, cached bool, err error) {
	if b.BaseCredentials != nil {
		creds, err := b.BaseCredentials(ctx)
		return creds, false, false, err
	}
	if chain.SSO != nil {
		e, hit, err := b.ssoBase(ctx, chain, stsRegion(chain, in))
		return e.Credentials, false, hit, err
	}
	base := chain.Base.Name
	if in.NoSession {
		keys, err := b.baseKeys(ctx, base)
		return keys, false, false, err
	}
	s, ok, err := b.Cache.Session(base, chain.MFASerial)
	switch {
	case err != nil:
		b.debugf("cache: session of profile %s cannot be read (%v): getting a new one", base, err)
	case ok:
		b.debugf("cache: session of profile %s reused (MFA: %t)", base, s.MFASerial != "")
		return s.Credentials, s.MFASerial != "", true, nil
	}
	keys, err := b.baseKeys(ctx, base)
	if err != nil {
		return vault.Credentials{}, false, false, err
	}
	code, err := b.mfaCode(chain.MFASerial, in.MFAToken)
	if err != nil {
		return vault.Credentials{}, false, false, err
	}
	client, err := b.stsClient(ctx, stsRegion(chain, in), keys)
	if err != nil {
		return vault.Credentials{}, false, false, err
	}
	sess, err := client.GetSessionToken(ctx, sessionDuration, chain.MFASerial, code)
	if err != nil {
		return vault.Credentials{}, false, false, fmt.Errorf("get session token for profile %s: %w", base, keysOf(err, base))
	}
	if err := b.Cache.PutSession(base, vault.SessionEntry{Credentials: sess, Identity: caller, MFASerial: chain.MFASerial}); err != nil {
		b.debugf("session not cached: %v", err)
	}
	return sess, chain.MFASerial != "", false, nil
}

// mfaCode returns the code given on the command line, else asks the person,
// when the profile has an MFA device; "" when it has none.
func (b *Broker) mfaCode(serial, given string) (string, error) {
	if serial == "" {
		return "", nil
	}
	if given != "" {
		return given, nil
	}
	if b.PromptMFA == nil {
		return "", &vault.MFARequiredError{Serial: serial}
	}
	return b.PromptMFA(serial)
}
