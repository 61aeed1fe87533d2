package broker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/notify"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/vault"
)

// Stores is the shared state the broker consults to lift a denial and
// changes in the approval and break-glass lifecycle.
type Stores interface {
	Requests() request.Store
	Breakglass() breakglass.Store
	Sessions() session.Store
	Close() error
}

// Signer returns the credentials that sign calls to a remote store. It is
// called only by backends that need it, so the local store costs no keyring
// read.
type Signer func(ctx context.Context) (vault.Credentials, error)

// StoreOpener opens the shared state. Opening is deferred until a decision
// needs it, so the common path (the policy allows) never touches a store.
type StoreOpener func(ctx context.Context, sign Signer) (Stores, error)

// Broker runs the decision flow. Fields are set once by the caller; a Broker
// is used for one command.
type Broker struct {
	Policy   *policy.Policy
	Profiles *vault.ConfigFile
	Keys     *vault.KeyStore
	Cache    *vault.Cache
	Log      *logging.Logger
	// OpenStores opens the approvals and break-glass state. Nil means no
	// override can lift a denial.
	OpenStores StoreOpener
	// STS builds the STS clients; nil means vault.NewSTSFactory with zero
	// options (the regional AWS endpoints).
	STS vault.STSFactory
	// SSO gets IAM Identity Center tokens and role credentials for
	// profiles based on them; nil means such profiles fail with
	// ErrSSONotConfigured.
	SSO *vault.SSO
	// PromptMFA asks the person for an MFA code when none was given.
	PromptMFA func(serial string) (string, error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the random source for request IDs; nil means crypto/rand.
	Rand io.Reader
	// Debugf receives debug lines (never secrets); nil discards them.
	Debugf func(format string, args ...any)
	// Notify sends webhook notifications of lifecycle changes; nil sends
	// none.
	Notify *notify.Notifier
	// Warnf receives warnings for the person (a notification that was not
	// delivered); nil discards them.
	Warnf func(format string, args ...any)

	// Catalogue makes the policy's profiles: section the only source of
	// role chains (the team service): a profile is its pin, never a
	// section of ~/.aws/config, and an unpinned profile is a
	// *NotInCatalogueError.
	Catalogue bool
	// BaseCredentials, when set, are the credentials that start every role
	// chain and sign every store call instead of a base profile's keys
	// from the keyring: the team service's own AWS credentials.
	BaseCredentials func(ctx context.Context) (vault.Credentials, error)
	// Region is the STS region of a catalogued profile whose pin names
	// none.
	Region string
	// ServiceAccounts are the accounts whose principals the team service
	// admits (its config's accounts:); nil outside the service. A block
	// must name a principal of one of them, as of the policy's
	// accounts: when it has that list.
	ServiceAccounts []string
	// InAWS, when set, makes revocations bite in AWS (revoke_in_aws):
	// see inaws.go.
	InAWS *InAWS
	// ssoFetched is the access key ID of the IAM Identity Center role
	// credentials this broker fetched last, to tell them from a cache hit.
	ssoFetched atomic.Value // string
}

// Input is one request for credentials.
type Input struct {
	Profile string
	Mode    policy.Mode
	// Duration is the lifetime asked for; 0 means the profile's
	// duration_seconds, else one hour.
	Duration time.Duration
	// MFAToken is a code given on the command line; empty means prompt
	// when one is needed.
	MFAToken string
	// NoSession skips the cached GetSessionToken step and assumes the role
	// with the long-lived keys.
	NoSession bool
	// Region overrides the profile's region.
	Region string
	// Server is the credential server's session state in server mode
	// (`exec --server`, the team service); nil for the other doors.
	Server *ServerSession
	// Caller, when set, is who asks, already proven by the door (the team
	// service verifies a signed proof); no keyring or STS lookup is made
	// to establish it.
	Caller *vault.Identity
	// Use says what the credentials are for (exported, a console
	// sign-in); the decision log records it.
	Use Use
}

// Grant is what the broker hands to a door after an allowed decision.
type Grant struct {
	Credentials    vault.Credentials
	Profile        string
	Region         string
	Caller         vault.Identity
	Decision       policy.Decision
	RequestID      string
	SourceIdentity string
	RoleARN        string
	ApprovalID     string
	BreakglassID   string
	// SessionID is the server-mode session the credentials belong to.
	SessionID string
	// Cached is true when the credentials came from the cache.
	Cached bool

	// blockCheckedAt and cachedRequestID come from the cache entry of a
	// warm hit: when its person's block was last checked, and the request
	// the credentials were issued under (see checkIssuedBlock).
	blockCheckedAt  time.Time
	cachedRequestID string
}

func (b *Broker) now() time.Time {
	if b.Now != nil {
		return b.Now().UTC()
	}
	return time.Now().UTC()
}

func (b *Broker) debugf(format string, args ...any) {
	if b.Debugf != nil {
		b.Debugf(format, args...)
	}
}

// Issue runs the whole decision flow for one request and returns
// credentials only when the policy, or an approval or break-glass event,
// allows them. Every decision reached is logged before Issue returns; a
// decision that cannot be logged issues nothing.
func (b *Broker) Issue(ctx context.Context, in Input) (g *Grant, err error) {
	if s := in.Server; s != nil {
		// One refresh at a time per server; a refusal forgets what the
		// server had cached, so nothing is handed out after it.
		s.mu.Lock()
		defer s.mu.Unlock()
		defer func() {
			if err != nil {
				s.dropCache()
			}
		}()
	}
	now := b.now()
	chain, err := b.resolveChain(in.Profile)
	if err != nil {
		return nil, err
	}
	// The warm path: credentials cached for a direct grant carry the
	// identity STS gave for the base keys, so one keyring read is enough to
	// decide, and then to answer when the policy still allows them. A
	// credential server keeps the identity and its credentials in memory
	// instead.
	var (
		warm   vault.RoleEntry
		isWarm bool
		caller vault.Identity
	)
	switch {
	case in.Caller != nil:
		// A proven caller has no keyring cache here: only server mode,
		// whose credentials live in the ServerSession, can serve them.
		if in.Server == nil {
			return nil, errors.New("a proven caller is served only in server mode")
		}
		caller = *in.Caller
		in.Server.base = chain.Base.Name
	case in.Server != nil:
		in.Server.base = chain.Base.Name
		if caller, err = b.serverCaller(ctx, in.Server, chain, now); err != nil {
			return nil, err
		}
	default:
		warm, isWarm = b.cachedRole(chain, in, BasisDirect)
		caller = warm.Identity
		if !isWarm {
			if caller, err = b.callerIdentity(ctx, chain); err != nil {
				return nil, err
			}
		}
	}
	// A refusal because the caller is blocked also drops what this
	// machine has cached for them: a warm hit may rely on a check made up
	// to BlockCheckMaxAge before, and one made before the block was seen
	// here must not outlive it.
	defer func() {
		if err != nil {
			b.forgetBlocked(caller, err)
		}
	}()
	requestID, err := NewRequestID(b.Rand)
	if err != nil {
		return nil, err
	}
	roles := chainRoles(chain)
	dec := b.Policy.Evaluate(policy.Request{User: caller.Name, ARN: caller.ARN, Profile: in.Profile, Roles: roles, Mode: in.Mode, Time: now})
	b.debugf("policy: profile %s user %s mode %s -> %s (rule %q)", in.Profile, caller.Name, in.Mode, dec.Effect, dec.Rule)

	entry := decisionEntry(now, requestID, caller, in, dec, b.Policy)
	entry.Note = useNote(in.Use)
	pin, pinned := b.Policy.Pin(in.Profile)
	region := chain.Region
	if pinned && pin.Region != "" {
		region = pin.Region
	}
	grant := &Grant{Profile: in.Profile, Region: firstNonEmpty(in.Region, region), Caller: caller, Decision: dec, RequestID: requestID}
	// The pin decides which role this profile name may reach, whatever
	// the person's own ~/.aws/config says: checked before any override, so
	// that no approval or break-glass can be spent on another role.
	if err := b.Policy.CheckChainFrom(in.Profile, roles, caller.Account, ssoPinBase(chain)); err != nil {
		entry.PolicyEffect = string(policy.EffectDeny)
		return nil, b.deny(&entry, err.Error(), err)
	}
	if err := checkSSOServer(chain, in); err != nil {
		return nil, b.deny(&entry, err.Error(), err)
	}
	basis := BasisDirect
	var windowEnd time.Time
	if dec.Allowed {
		if windowEnd, err = b.ruleWindowEnd(dec, now); err != nil {
			return nil, b.deny(&entry, err.Error(), err)
		}
	} else {
		ov, err := b.findOverride(ctx, chain, caller, in.Profile, dec, now)
		if err != nil {
			return nil, b.deny(&entry, fmt.Sprintf("%s; override lookup failed: %v", dec.Reason, err), err)
		}
		if ov == nil {
			return nil, b.deny(&entry, dec.Reason, b.deniedError(ctx, b.signerFor(chain), in.Profile, caller, dec))
		}
		basis, windowEnd = ov.basis, ov.end
		grant.ApprovalID, grant.BreakglassID = ov.approvalID, ov.breakglassID
		entry.ApprovalID, entry.BreakglassID = ov.approvalID, ov.breakglassID
		b.debugf("override: %s until %s", ov.basis, ov.end.Format(time.RFC3339))
	}

	var sessions session.Store
	if in.Server != nil {
		if b.OpenStores == nil {
			return nil, b.deny(&entry, "server mode needs the session store", unavailable("session", errNoStore))
		}
		stores, err := b.OpenStores(ctx, b.serverSigner(in.Server))
		if err != nil {
			err = unavailable("session", err)
			return nil, b.deny(&entry, err.Error(), err)
		}
		defer stores.Close()
		sessions = stores.Sessions()
		if err := b.checkServerSession(ctx, in.Server, sessions, caller, in.Profile, lastRoleARN(chain), now, &entry); err != nil {
			return nil, b.deny(&entry, err.Error(), err)
		}
		grant.SessionID, entry.SessionID = in.Server.id, in.Server.id
		if in.Duration == 0 {
			in.Duration = in.Server.duration()
		}
	}

	d, err := capDuration(durationCaps{
		requested:  in.Duration,
		ruleMax:    dec.MaxDuration,
		pinMax:     pin.MaxDuration,
		profileMax: time.Duration(chain.DurationSeconds) * time.Second,
		windowEnd:  windowEnd,
		now:        now,
		grantName:  overrideName(grant),
	})
	if err != nil {
		return nil, b.deny(&entry, err.Error(), err)
	}

	var cached *vault.RoleEntry
	if basis == BasisDirect && isWarm && in.Use != UseConsole {
		cached = &warm
	}

	// The credentials step. It runs in this order so that no credential is
	// cached or handed out before its decision line is in the log, and no
	// STS call is made for a decision that could not be logged:
	//
	//  1. plan: a set that is already at hand and fits (the keyring cache,
	//     the credential server's own copy, IAM Identity Center role
	//     credentials), else what a fresh set will carry (role,
	//     SourceIdentity, duration). No network call, no write.
	//  2. the decision line (effect allow), the one log append of the warm
	//     path. If it cannot be written, nothing else happens.
	//  3. on a miss, the call to STS. From here on every refusal (a failed
	//     call, a session revoked meanwhile) is a second entry with the
	//     same request ID, written by notIssued.
	//  4. checks that need the credentials obtained (the server session's
	//     touch), then the cache, then the hand-out.
	limit := policyLimitOf(dec, pin.MaxDuration, in.Profile, windowEnd, overrideName(grant), now)
	ready, err := b.planCredentials(ctx, chain, caller, basis, d, limit, in, cached, grant, now)
	if err != nil {
		return nil, b.deny(&entry, "credentials not issued: "+err.Error(), err)
	}
	b.allowEntry(&entry, grant, chain, in, d, now)
	if err := b.Log.Append(&entry); err != nil {
		return nil, fmt.Errorf("write decision log (no credentials issued): %w", err)
	}
	if !ready {
		creds, err := b.freshCredentials(ctx, chain, caller, basis, d, in, grant)
		if err != nil {
			return nil, b.notIssued(&entry, err)
		}
		grant.Credentials = creds
	}
	// Checks that need the credentials obtained, before anything is kept
	// or handed out. A refusal here is logged as the second entry.
	if in.Server != nil {
		if err := b.touchServerSession(ctx, in.Server, sessions, caller, grant.Credentials.Expires, now); err != nil {
			return nil, b.notIssued(&entry, err)
		}
	} else if err := b.checkIssuedBlock(ctx, chain, in, basis, grant, now); err != nil {
		// The paths without a session (exec, credentials, export,
		// login) read the block here, after STS answered and before
		// anything is kept or handed out; server mode checked it
		// atomically with the session touch above.
		return nil, b.notIssued(&entry, err)
	}
	if !ready {
		b.keepCredentials(chain, caller, basis, in, grant)
	}
	return grant, nil
}

// allowEntry fills the decision line of an allowed request from what the
// plan settled. For a set at hand it records its real expiry; for a fresh
// set, logged before STS is called, the end the decision grants (now plus
// the capped duration), which STS's own expiry exceeds only by the call's
// latency.
func (b *Broker) allowEntry(entry *logging.Entry, grant *Grant, chain *vault.Chain, in Input, d time.Duration, now time.Time) {
	entry.Effect = "allow"
	entry.SourceIdentity = grant.SourceIdentity
	entry.RoleARN = grant.RoleARN
	exp := grant.Credentials.Expires.UTC()
	if grant.Credentials.AccessKeyID == "" {
		exp = now.Add(d)
	}
	entry.ExpiresAt = &exp
	entry.DurationSeconds = int64(exp.Sub(now).Seconds())
	entry.Cached = grant.Cached
	switch {
	case chain.SSODirect():
		entry.Note = addNote(ssoDirectNote, useNote(in.Use))
	case grant.RoleARN == "":
		roleless := "profile has no role_arn: session-token credentials, no SourceIdentity could be stamped"
		if in.Use == UseConsole {
			roleless = "profile has no role_arn: federation-token credentials, no SourceIdentity could be stamped"
		}
		entry.Note = addNote(roleless, useNote(in.Use))
	}
}

// notIssued logs the second entry of a request whose decision line (an
// allow) is already written, when the credentials are then not handed out:
// the STS call failed, or a check made after it refused. It has the same
// request ID, effect deny and the reason. It returns cause, joined to the
// logging error when that entry could not be written either.
func (b *Broker) notIssued(allowed *logging.Entry, cause error) error {
	e := *allowed
	e.Seq, e.PrevHash, e.Hash, e.Time = 0, "", "", b.now()
	e.SourceIdentity, e.ExpiresAt, e.DurationSeconds, e.Cached = "", nil, 0, false
	return b.deny(&e, "credentials not issued: "+cause.Error(), cause)
}

func decisionEntry(now time.Time, requestID string, caller vault.Identity, in Input, dec policy.Decision, pol *policy.Policy) logging.Entry {
	return logging.Entry{
		Time:         now,
		Event:        logging.EventDecision,
		RequestID:    requestID,
		User:         caller.Name,
		PrincipalARN: caller.ARN,
		Account:      caller.Account,
		Profile:      in.Profile,
		Mode:         string(in.Mode),
		PolicyEffect: string(dec.Effect),
		Rule:         dec.Rule,
		Reason:       dec.Reason,
		PolicySHA256: pol.SHA256,
		PolicyPath:   pol.Path,
		RuleIndex:    logging.IntPtr(dec.RuleIndex),
		UTCOffset:    utcOffset(dec),
	}
}

// utcOffset renders the offset of the zone the decision read a time window
// in as ±hh:mm, or "" when it read none.
func utcOffset(dec policy.Decision) string {
	if !dec.HasUTCOffset {
		return ""
	}
	sign, off := byte('+'), dec.UTCOffset
	if off < 0 {
		sign, off = '-', -off
	}
	h, m := off/3600, off%3600/60
	return string([]byte{sign, byte('0' + h/10), byte('0' + h%10), ':', byte('0' + m/10), byte('0' + m%10)})
}

// deny logs a deny decision and returns cause, or the logging error joined
// to it when the log could not be written.
func (b *Broker) deny(e *logging.Entry, reason string, cause error) error {
	e.Effect = "deny"
	e.Reason = reason
	if err := b.Log.Append(e); err != nil {
		return errors.Join(cause, fmt.Errorf("write decision log: %w", err))
	}
	return cause
}

func overrideName(g *Grant) string {
	switch {
	case g.ApprovalID != "":
		return "approval " + g.ApprovalID
	case g.BreakglassID != "":
		return "break-glass " + g.BreakglassID
	}
	return ""
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
