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

// issueCredentials fills grant with credentials for chain, from the cache
// when a cached set fits d (see reusable), else from STS. cached is the
// entry already read for this basis, if any; nil means look it up.
func (b *Broker) issueCredentials(ctx context.Context, chain *vault.Chain, caller vault.Identity, basis string, d time.Duration, in Input, cached *vault.RoleEntry, grant *Grant) error {
	if chain.SSODirect() {
		return b.ssoDirectCredentials(ctx, chain, caller, basis, d, in, cached, grant)
	}
	now := b.now()
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
			return nil
		}
		b.debugf("cache: not used for profile %s (%s): %s", in.Profile, basis, why)
	}
	creds, err := b.fetchCredentials(ctx, chain, caller, basis, d, in, grant)
	if err != nil {
		return err
	}
	grant.Credentials = creds
	entry := vault.RoleEntry{Credentials: creds, RoleARN: grant.RoleARN, SourceIdentity: grant.SourceIdentity, RequestID: grant.RequestID, Identity: caller}
	if err := b.Cache.PutRole(vault.RoleKeyFor(chain, stsRegion(chain, in), basis), entry); err != nil {
		b.debugf("credentials not cached: %v", err)
	}
	return nil
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
	keys, err := b.baseKeys(chain.Base.Name)
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
func (b *Broker) assumeRoles(ctx context.Context, chain *vault.Chain, caller vault.Identity, basis string, d time.Duration, in Input, grant *Grant) (vault.Credentials, error) {
	si, err := FormatSourceIdentity(caller.Name, basis, grant.RequestID)
	if err != nil {
		return vault.Credentials{}, err
	}
	tags := map[string]string{requestIDTag: grant.RequestID}
	if grant.SessionID != "" {
		tags[sessionIDTag] = grant.SessionID
	}
	creds, err := b.assumeHops(ctx, chain, caller, si, d, in, tags)
	if errors.Is(err, errStaleSession) {
		// STS no longer honours the cached session (revoked, or the keys
		// were rotated): drop it and start again with a fresh one.
		if cerr := b.dropBaseSession(chain); cerr != nil {
			return vault.Credentials{}, cerr
		}
		creds, err = b.assumeHops(ctx, chain, caller, si, d, in, tags)
	}
	if err != nil {
		return vault.Credentials{}, err
	}
	grant.RoleARN = chain.Roles[len(chain.Roles)-1].RoleARN
	grant.SourceIdentity = si
	return creds, nil
}

// errStaleSession marks an ExpiredToken answer to the first AssumeRole
// when it was signed with a cached session.
var errStaleSession = errors.New("cached session rejected by STS")

// assumeHops assumes each role of the chain in turn, starting from the base
// credentials.
func (b *Broker) assumeHops(ctx context.Context, chain *vault.Chain, caller vault.Identity, si string, d time.Duration, in Input, tags map[string]string) (vault.Credentials, error) {
	cur, usedMFA, cached, err := b.baseCredentials(ctx, chain, caller, in)
	if err != nil {
		return vault.Credentials{}, err
	}
	region := stsRegion(chain, in)
	for i, role := range chain.Roles {
		hop := vault.AssumeRoleInput{
			RoleARN:        role.RoleARN,
			SessionName:    RoleSessionName(caller.Name),
			ExternalID:     role.ExternalID,
			SourceIdentity: si,
			Duration:       d,
			Tags:           tags,
		}
		if i > 0 && hop.Duration > maxChainedDuration {
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
		keys, err := b.baseKeys(base)
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
	keys, err := b.baseKeys(base)
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
