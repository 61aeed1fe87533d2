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
// the cache. It is the only slack in "credentials never outlive the grant".
const clockSkew = time.Minute

// requestIDTag is the session tag that carries the request ID to CloudTrail.
const requestIDTag = "sentinel-request-id"

// issueCredentials fills grant with credentials for chain, from the cache
// when a cached set fits inside duration d, else from STS. cached is the
// entry already read for this basis, if any; nil means look it up.
func (b *Broker) issueCredentials(ctx context.Context, chain *vault.Chain, caller vault.Identity, basis string, d time.Duration, in Input, cached *vault.RoleEntry, grant *Grant) error {
	now := b.now()
	if cached == nil && basis != BasisDirect {
		if e, ok := b.Cache.Role(in.Profile, chain.Base.Name, basis); ok {
			cached = &e
		}
	}
	if e := cached; e != nil && e.Identity == caller && !e.Credentials.Expires.After(now.Add(d+clockSkew)) {
		grant.Credentials = e.Credentials
		grant.RoleARN = e.RoleARN
		grant.SourceIdentity = e.SourceIdentity
		grant.Cached = true
		return nil
	}
	var (
		creds vault.Credentials
		err   error
	)
	if len(chain.Roles) == 0 {
		creds, err = b.sessionTokenCredentials(ctx, chain, d, in)
	} else {
		creds, err = b.assumeRoles(ctx, chain, caller, basis, d, in, grant)
	}
	if err != nil {
		return err
	}
	grant.Credentials = creds
	entry := vault.RoleEntry{Credentials: creds, RoleARN: grant.RoleARN, SourceIdentity: grant.SourceIdentity, RequestID: grant.RequestID, Identity: caller}
	if err := b.Cache.PutRole(in.Profile, chain.Base.Name, basis, entry); err != nil {
		b.debugf("credentials not cached: %v", err)
	}
	return nil
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
	client, err := vault.NewSTS(ctx, chain.Region, keys)
	if err != nil {
		return vault.Credentials{}, err
	}
	creds, err := client.GetSessionToken(ctx, d, chain.MFASerial, code)
	if err != nil {
		return vault.Credentials{}, fmt.Errorf("get session token for profile %s: %w", chain.Base.Name, err)
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
	creds, err := b.assumeHops(ctx, chain, caller, si, d, in, grant.RequestID)
	if errors.Is(err, errStaleSession) {
		// STS no longer honours the cached session (revoked, or the keys
		// were rotated): drop it and start again with a fresh one.
		if cerr := b.Cache.Clear(chain.Base.Name); cerr != nil {
			return vault.Credentials{}, cerr
		}
		creds, err = b.assumeHops(ctx, chain, caller, si, d, in, grant.RequestID)
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
func (b *Broker) assumeHops(ctx context.Context, chain *vault.Chain, caller vault.Identity, si string, d time.Duration, in Input, requestID string) (vault.Credentials, error) {
	cur, usedMFA, cached, err := b.baseCredentials(ctx, chain, caller, in)
	if err != nil {
		return vault.Credentials{}, err
	}
	for i, role := range chain.Roles {
		hop := vault.AssumeRoleInput{
			RoleARN:        role.RoleARN,
			SessionName:    RoleSessionName(caller.Name),
			ExternalID:     role.ExternalID,
			SourceIdentity: si,
			Duration:       d,
			Tags:           map[string]string{requestIDTag: requestID},
		}
		if i > 0 && hop.Duration > maxChainedDuration {
			hop.Duration = maxChainedDuration
		}
		if i == 0 && in.NoSession && chain.MFASerial != "" && !usedMFA {
			code, err := b.mfaCode(chain.MFASerial, in.MFAToken)
			if err != nil {
				return vault.Credentials{}, err
			}
			hop.MFASerial, hop.TokenCode = chain.MFASerial, code
		}
		client, err := vault.NewSTS(ctx, chain.Region, cur)
		if err != nil {
			return vault.Credentials{}, err
		}
		cur, err = client.AssumeRole(ctx, hop)
		if i == 0 && cached && errors.Is(err, vault.ErrExpiredToken) {
			return vault.Credentials{}, fmt.Errorf("%w: %w", errStaleSession, err)
		}
		if err != nil {
			return vault.Credentials{}, fmt.Errorf("assume role %s (profile %s): %w", role.RoleARN, role.Name, err)
		}
	}
	return cur, nil
}

// baseCredentials returns what the first AssumeRole is signed with: the
// cached session-token credentials of the base profile (fetched, with MFA
// when the profile has mfa_serial, on a miss), or with --no-session the
// long-lived keys. usedMFA reports whether an MFA code went into them,
// cached whether they came from the cache.
func (b *Broker) baseCredentials(ctx context.Context, chain *vault.Chain, caller vault.Identity, in Input) (creds vault.Credentials, usedMFA, cached bool, err error) {
	base := chain.Base.Name
	if in.NoSession {
		keys, err := b.baseKeys(base)
		return keys, false, false, err
	}
	if s, ok := b.Cache.Session(base); ok {
		return s.Credentials, chain.MFASerial != "", true, nil
	}
	keys, err := b.baseKeys(base)
	if err != nil {
		return vault.Credentials{}, false, false, err
	}
	code, err := b.mfaCode(chain.MFASerial, in.MFAToken)
	if err != nil {
		return vault.Credentials{}, false, false, err
	}
	client, err := vault.NewSTS(ctx, chain.Region, keys)
	if err != nil {
		return vault.Credentials{}, false, false, err
	}
	sess, err := client.GetSessionToken(ctx, sessionDuration, chain.MFASerial, code)
	if err != nil {
		return vault.Credentials{}, false, false, fmt.Errorf("get session token for profile %s: %w", base, err)
	}
	if err := b.Cache.PutSession(base, vault.SessionEntry{Credentials: sess, Identity: caller}); err != nil {
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
		return "", fmt.Errorf("MFA code required for %s: pass --mfa-token", serial)
	}
	return b.PromptMFA(serial)
}
