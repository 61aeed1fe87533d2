package broker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/vault"
)

// DefaultServerDuration is how long server-mode credentials last when
// neither --server-duration nor --duration says otherwise.
const DefaultServerDuration = time.Hour

// ServerReuseMargin is how much life credentials cached inside a
// credential server must have left to be handed out again. The AWS CLI and
// boto3 refresh when 15 minutes remain and insist at 10; anything shorter
// than 20 minutes would make them fetch again on every call.
const ServerReuseMargin = 20 * time.Minute

// sessionIDTag is the STS session tag that joins CloudTrail entries to the
// server-mode session.
const sessionIDTag = "sentinel-session-id"

// ServerSession is what one credential server (`exec --server`) keeps
// between the refreshes of its child: the tracked session, who the caller
// is, and the credentials last issued. Every refresh still runs the whole
// decision flow (policy, approvals, revocation) before any of it is used.
// It is safe for concurrent use: refreshes are decided one at a time.
type ServerSession struct {
	// Host and PID say where the server runs; recorded in the session.
	Host string
	PID  int
	// Duration is the lifetime asked for when a request names none; 0
	// means DefaultServerDuration.
	Duration time.Duration

	mu sync.Mutex
	id string
	// owner is the ARN the session was stored under. The flow checks
	// that the caller is the same person (person.Same), who may call
	// under another ARN (another session name of the same role); the
	// store's touch is then made under the stored ARN.
	owner        string
	caller       vault.Identity
	identifiedAt time.Time
	base         string // the base profile whose keys sign store calls
	// profile and activeUntil are what this server last saw of its
	// session: stored for profile, and active (not revoked, not lapsed)
	// until activeUntil at least, unless revoked since. Until then a
	// refresh skips the read and lets the touch, one conditional write,
	// find a revocation or a block (the one store request of a warm
	// decision).
	profile     string
	activeUntil time.Time
	cached      *Grant
	cachedBasis string
}

// ID is the current session's ID ("" before the first allowed request).
func (s *ServerSession) ID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

// dropCache forgets the credentials last issued: after a denial or a
// revocation nothing cached may be handed out again.
func (s *ServerSession) dropCache() {
	s.cached, s.cachedBasis = nil, ""
}

// reuse returns the credentials cached in the server when they were issued
// on the same basis, fit inside d and have more than ServerReuseMargin
// left.
func (s *ServerSession) reuse(basis string, d time.Duration, now time.Time) (*Grant, bool) {
	g := s.cached
	if g == nil || s.cachedBasis != basis {
		return nil, false
	}
	exp := g.Credentials.Expires
	if exp.Sub(now) <= ServerReuseMargin || exp.After(now.Add(d+clockSkew)) {
		return nil, false
	}
	return g, true
}

// serverCaller returns who the server's base keys belong to, established
// through STS once and again every vault.IdentityMaxAge.
func (b *Broker) serverCaller(ctx context.Context, s *ServerSession, chain *vault.Chain, now time.Time) (vault.Identity, error) {
	if s.caller.ARN != "" && now.Sub(s.identifiedAt) < vault.IdentityMaxAge {
		return s.caller, nil
	}
	id, err := b.callerIdentity(ctx, chain)
	if err != nil {
		return vault.Identity{}, err
	}
	s.caller, s.identifiedAt = id, now
	return id, nil
}

// ErrUnavailable is matched by errors that mean the shared state could not
// be read or written, so no decision that depends on it could be made.
// The server door answers 503.
var ErrUnavailable = errors.New("the shared store could not be reached")

// unavailableError says which store could not be reached; it matches
// ErrUnavailable.
type unavailableError struct {
	what string
	err  error
}

func (e *unavailableError) Error() string {
	return fmt.Sprintf("the %s store could not be reached: %v", e.what, e.err)
}
func (e *unavailableError) Unwrap() error        { return e.err }
func (e *unavailableError) Is(target error) bool { return target == ErrUnavailable }

func unavailable(what string, err error) error { return &unavailableError{what: what, err: err} }

// ErrRevoked is matched by refusals because the session was revoked, or
// its user is blocked. It also matches ErrDenied.
var ErrRevoked = errors.New("session revoked")

// RevokedError says which session was revoked (or that the user is
// blocked), by whom and why.
type RevokedError struct {
	SessionID string
	By        string
	Reason    string
	// Blocked is true when the user is blocked from new sessions.
	Blocked bool
	Until   time.Time
}

func (e *RevokedError) Error() string {
	if e.Blocked {
		until := "until lifted"
		if !e.Until.IsZero() {
			until = "until " + e.Until.UTC().Format(time.RFC3339)
		}
		return fmt.Sprintf("this user is blocked %s by %s: %s", until, e.By, e.Reason)
	}
	if e.By == "" {
		return fmt.Sprintf("session %s is no longer active", e.SessionID)
	}
	return fmt.Sprintf("session %s was revoked by %s: %s", e.SessionID, e.By, e.Reason)
}

// Is makes errors.Is match ErrRevoked and ErrDenied.
func (e *RevokedError) Is(target error) bool { return target == ErrRevoked || target == ErrDenied }

// checkServerSession runs the session step of the flow for one server-mode
// request: it resumes the server's session if it is still active, or
// creates one (unless the user is blocked), and fills the session ID in.
// A revoked session is never resumed; one that lapsed on its own (the
// child was idle past its credentials) is replaced by a new one.
func (b *Broker) checkServerSession(ctx context.Context, s *ServerSession, st session.Store, caller vault.Identity, profile, roleARN string, now time.Time, entry *logging.Entry) error {
	if s.id != "" {
		if s.knownActive(caller, profile, now) {
			return nil
		}
		cur, err := st.Get(ctx, s.id)
		switch {
		case errors.Is(err, session.ErrNotFound):
			return &RevokedError{SessionID: s.id}
		case err != nil:
			return unavailable("session", err)
		case cur.Status == session.StatusRevoked:
			return &RevokedError{SessionID: s.id, By: actorWithAccount(cur.RevokedBy, cur.RevokedByARN), Reason: cur.RevokeReason}
		case !person.Same(cur.UserARN, caller.ARN) || cur.Profile != profile:
			return &RevokedError{SessionID: s.id}
		case cur.EffectiveStatus(now) == session.StatusActive:
			s.owner, s.profile, s.activeUntil = cur.UserARN, cur.Profile, cur.ExpiresAt
			return nil
		}
		// It lapsed on its own: record that, then start a new one.
		b.endSession(ctx, st, s.id, caller, profile, now, "lapsed: no credentials were asked for before it ended")
		s.id = ""
	}
	blk, blocked, err := st.ActiveBlock(ctx, caller.ARN, now)
	if err != nil {
		return unavailable("session", err)
	}
	if blocked {
		return blockedError(blk)
	}
	id, err := session.NewID()
	if err != nil {
		return err
	}
	sess, err := session.New(session.NewParams{
		ID: id, User: caller.Name, UserARN: caller.ARN, Account: caller.Account,
		Profile: profile, RoleARN: roleARN, Host: s.Host, PID: s.PID,
		Now: now, ExpiresAt: now.Add(s.duration()),
	})
	if err != nil {
		return err
	}
	if err := st.Create(ctx, sess); err != nil {
		var be *session.BlockedError
		if errors.As(err, &be) {
			// The block landed between the read above and the write.
			return blockedError(be.Block)
		}
		return unavailable("session", err)
	}
	s.id, s.owner, s.profile, s.activeUntil = id, caller.ARN, profile, sess.ExpiresAt
	started := logging.Entry{
		Event: logging.EventSessionStarted, Actor: caller.Name, ActorARN: caller.ARN, Account: caller.Account,
		Subject: id, SessionID: id, Profile: profile, RoleARN: roleARN, Status: string(session.StatusActive),
		PolicyPath: b.Policy.Path, PolicySHA256: b.Policy.SHA256, RequestID: entry.RequestID,
	}
	if err := b.Log.Append(&started); err != nil {
		return fmt.Errorf("session %s started, but the log could not be written: %w", id, err)
	}
	return nil
}

// knownActive reports whether this server saw its session active, for
// this person and profile, in a read or a touch that still covers now. A
// revocation or block since then is not known here: the touch, which
// checks both in the same write, refuses the credentials.
func (s *ServerSession) knownActive(caller vault.Identity, profile string, now time.Time) bool {
	return s.owner != "" && s.profile == profile && person.Same(s.owner, caller.ARN) && now.Before(s.activeUntil)
}

func (s *ServerSession) duration() time.Duration {
	if s.Duration > 0 {
		return s.Duration
	}
	return DefaultServerDuration
}

// touchServerSession counts one issuance on the session. A revocation or
// a block that landed between the check and now wins: the credentials are
// not handed out, and a session refused for a block is revoked.
func (b *Broker) touchServerSession(ctx context.Context, s *ServerSession, st session.Store, caller vault.Identity, expires, now time.Time) error {
	owner := s.owner
	if owner == "" {
		owner = caller.ARN
	}
	err := st.Touch(ctx, s.id, owner, now, expires)
	if err == nil {
		if expires.After(s.activeUntil) {
			s.activeUntil = expires
		}
		return nil
	}
	// Refused or failed: the next refresh reads the session again.
	s.activeUntil = time.Time{}
	switch {
	case errors.Is(err, session.ErrBlocked):
		return b.refusedTouch(ctx, st, s.id, caller, err, now)
	case errors.Is(err, session.ErrRevoked), errors.Is(err, session.ErrNotActive), errors.Is(err, session.ErrNotFound):
		return b.revokedSession(ctx, st, s.id)
	}
	return unavailable("session", err)
}

// revokedSession is the refusal of a session the touch found no longer
// active, naming who revoked it and why when the store says so. The read
// is made only on this refusal, never on the warm path.
func (b *Broker) revokedSession(ctx context.Context, st session.Store, id string) error {
	cur, err := st.Get(ctx, id)
	if err == nil && cur.Status == session.StatusRevoked {
		return &RevokedError{SessionID: id, By: actorWithAccount(cur.RevokedBy, cur.RevokedByARN), Reason: cur.RevokeReason}
	}
	return &RevokedError{SessionID: id}
}

// EndServerSession marks the server's session expired when its child has
// exited, and logs it. A session that was revoked stays revoked.
func (b *Broker) EndServerSession(ctx context.Context, s *ServerSession) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropCache()
	if s.id == "" || b.OpenStores == nil {
		return nil
	}
	stores, err := b.OpenStores(ctx, b.serverSigner(s))
	if err != nil {
		return unavailable("session", err)
	}
	defer stores.Close()
	b.endSession(ctx, stores.Sessions(), s.id, s.caller, "", b.now(), "the command exited")
	s.id = ""
	return nil
}

// endSession moves an active session to expired and logs it; a session
// that is no longer active is left as it is.
func (b *Broker) endSession(ctx context.Context, st session.Store, id string, caller vault.Identity, profile string, now time.Time, why string) {
	if _, err := st.Change(ctx, id, func(s *session.Session) error { return s.Expire(now) }); err != nil {
		b.debugf("session %s not marked expired: %v", id, err)
		return
	}
	e := logging.Entry{
		Event: logging.EventSessionExpired, Actor: caller.Name, ActorARN: caller.ARN, Account: caller.Account,
		Subject: id, SessionID: id, Profile: profile, Status: string(session.StatusExpired), Comment: why,
		PolicyPath: b.Policy.Path, PolicySHA256: b.Policy.SHA256,
	}
	if err := b.Log.Append(&e); err != nil {
		b.debugf("session %s expiry not logged: %v", id, err)
	}
}

// serverSigner signs remote store calls with the base keys of the
// profile the server serves.
func (b *Broker) serverSigner(s *ServerSession) Signer {
	base := s.base
	if b.Profiles == nil || b.Keys == nil {
		return func(ctx context.Context) (vault.Credentials, error) { return b.baseKeys(ctx, base) }
	}
	if chain, err := vault.ResolveChain(b.Profiles, base, b.Keys.Has); err == nil && chain.SSO != nil {
		return b.signerFor(chain)
	}
	return func(ctx context.Context) (vault.Credentials, error) { return b.baseKeys(ctx, base) }
}

// actorWithAccount names an actor with the account of their ARN.
func actorWithAccount(name, arn string) string {
	if acct := accountOf(arn); acct != "" {
		return name + " (" + acct + ")"
	}
	return name
}

// accountOf returns the account ID field of an ARN, or "".
func accountOf(arn string) string {
	// arn:partition:service:region:account:resource
	n := 0
	start := -1
	for i := 0; i < len(arn); i++ {
		if arn[i] != ':' {
			continue
		}
		n++
		if n == 4 {
			start = i + 1
		} else if n == 5 && start >= 0 {
			return arn[start:i]
		}
	}
	return ""
}

// lastRoleARN is the role a chain ends in, or "" for a role-less profile.
func lastRoleARN(chain *vault.Chain) string {
	if len(chain.Roles) == 0 {
		return ""
	}
	return chain.Roles[len(chain.Roles)-1].RoleARN
}
