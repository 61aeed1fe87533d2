package broker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/vault"
)

// The operations people run on server-mode sessions: list, show, revoke
// one, and block a user (revoking all their sessions) or lift that block.
// The per-request flow that creates and touches sessions lives with Issue;
// this file only reads them and ends them.
//
// Who may act is decided against the policy in force now, never against
// what a record says: a session's own user may revoke it (matched by ARN,
// ignoring case, as IAM treats names), and so may an approver of its
// profile. Blocking and unblocking a user is for approvers only; see
// isAnyApprover for why any approval rule will do.

// ErrForbidden is matched (errors.Is) by every refusal because of who
// asked; each is a *record.ForbiddenError.
var ErrForbidden = record.ErrForbidden

// forbidden refuses who the action: only allowed may do it ("revoke
// session 0123456789abcdef", "its own user or an approver of profile
// prod").
func forbidden(who vault.Identity, action, allowed string) error {
	return &record.ForbiddenError{Actor: fmt.Sprintf("%s (%s)", who.Name, who.ARN), Action: action, Reason: "only " + allowed + " may"}
}

// UserRevocation is what RevokeUser did: the block it stored and the
// sessions it revoked.
type UserRevocation struct {
	Block *session.Block
	// Revoked are the sessions this call revoked, as they are after the
	// revocation. Sessions that ended on their own or were revoked by
	// someone else in the meantime are not in it.
	Revoked []*session.Session
}

// ListSessions lists sessions, newest first, each with its status as of
// now: an active session whose time ran out reads as expired without
// anything being written (see listEffective). With no user, user ARN,
// profile or status given, it lists the actor's own sessions: those of the
// same person (person.Same), so an IAM Identity Center user sees theirs in
// every account, a role its sessions under every session name (see
// foundByName), and a namesake's never. As with requests, anyone who can
// read the store may list any sessions.
func (b *Broker) ListSessions(ctx context.Context, a *Actor, q session.Query) ([]*session.Session, error) {
	mine := q.User == "" && q.UserARN == "" && q.Profile == "" && q.Status == ""
	everyStatus := mine && !foundByName(a.Identity.ARN)
	if mine && !everyStatus {
		q.User = a.Identity.Name
	}
	if q.Status != "" && !q.Status.Valid() {
		return nil, fmt.Errorf("%w: unknown session status %s", session.ErrInvalid, quoteID(string(q.Status)))
	}
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return nil, err
	}
	defer stores.Close()
	var every []session.Status
	if everyStatus {
		every = []session.Status{session.StatusActive, session.StatusRevoked, session.StatusExpired}
	}
	out, err := listRecords(ctx, stores.Sessions(), session.Kind, q.Record(b.now()), every)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	if err != nil || !mine {
		return out, err
	}
	return slices.DeleteFunc(out, func(s *session.Session) bool { return !person.Same(s.UserARN, a.Identity.ARN) }), nil
}

// GetSession returns one session as stored; callers show its
// EffectiveStatus.
func (b *Broker) GetSession(ctx context.Context, a *Actor, id string) (*session.Session, error) {
	return getRecord(ctx, b, a, "session", id, checkSessionID, session.ErrNotFound,
		func(s Stores) func(context.Context, string) (*session.Session, error) { return s.Sessions().Get })
}

// RevokeSession ends session id at once, for reason. The session's own
// user may, and so may an approver of its profile under the current
// policy; anyone else gets a *record.ForbiddenError. A session that is already
// revoked or expired gives an error matching session.ErrTransition. An
// active session whose time ran out is still revoked: a revocation never
// loses to clock skew.
func (b *Broker) RevokeSession(ctx context.Context, a *Actor, id, reason string) (*session.Session, error) {
	if err := checkSessionID(id); err != nil {
		return nil, err
	}
	now := b.now()
	reason, err := session.CheckRevoke(a.Identity.Name, a.Identity.ARN, reason, now)
	if err != nil {
		return nil, err
	}
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return nil, err
	}
	defer stores.Close()
	st := stores.Sessions()
	s, err := st.Get(ctx, id)
	if err != nil {
		return nil, sessionLookupError(id, err)
	}
	if !b.mayRevoke(a, s) {
		return nil, forbidden(a.Identity, "revoke session "+id, "its own user or an approver of profile "+s.Profile)
	}
	if !strings.EqualFold(s.UserARN, a.Identity.ARN) {
		// A blocked approver revokes nobody else's session; ending one's
		// own is always allowed.
		if err := b.refuseBlockedActor(ctx, st, a, "revoke session "+id); err != nil {
			return nil, err
		}
	}
	s, err = st.Change(ctx, id, func(s *session.Session) error { return s.Revoke(a.Identity.Name, a.Identity.ARN, reason, now) })
	if err != nil {
		if se := (*session.StateError)(nil); errors.As(err, &se) {
			return nil, se // "cannot revoke session ID: it is revoked", said once
		}
		return nil, sessionLookupError(id, err)
	}
	e := b.sessionEntry(logging.EventSessionRevoked, a, s)
	e.Reason = reason
	err = b.appendLifecycle(&e, "revocation of session "+id)
	b.sendNotification(ctx, a, sessionNotification(a, s, reason))
	aws := b.revokeInAWS(ctx, a, stores, "session "+id+" is revoked", b.sessionInAWS(ctx, s.ID, s.Profile, s.RoleARN, s.ExpiresAt, a))
	return s, errors.Join(err, aws)
}

// RevokeUser blocks the person of userARN (by person key, so every ARN of
// theirs) for forDuration (0: until an approver lifts it) and revokes
// every active session of theirs: the answer to a stolen laptop. Only an
// approver who is not blocked may (see isAnyApprover). The block is stored
// first; the stores refuse any session created or touched after it (see
// session.Store), so a session racing the listing below is refused by the
// block rather than missed. An ARN that is not a caller ARN, or outside
// the policy's accounts:, is refused.
func (b *Broker) RevokeUser(ctx context.Context, a *Actor, userARN, reason string, forDuration time.Duration) (*UserRevocation, error) {
	if err := b.checkBlockTarget(userARN); err != nil {
		return nil, err
	}
	if forDuration < 0 {
		return nil, fmt.Errorf("%w: block duration %s is negative", session.ErrInvalid, forDuration)
	}
	now := b.now()
	var until time.Time
	if forDuration > 0 {
		until = now.Add(forDuration)
	}
	blk, err := session.NewBlock(session.Block{UserARN: userARN, Until: until, By: a.Identity.Name, ByARN: a.Identity.ARN, Reason: reason, At: now})
	if err != nil {
		return nil, err
	}
	if !b.isAnyApprover(a) {
		return nil, forbidden(a.Identity, "block "+userARN, "an approver named in the policy")
	}
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return nil, err
	}
	defer stores.Close()
	st := stores.Sessions()
	if err := b.refuseBlockedActor(ctx, st, a, "block "+userARN); err != nil {
		return nil, err
	}
	if err := st.Block(ctx, *blk); err != nil {
		return nil, fmt.Errorf("block %s: %w", userARN, err)
	}
	out := &UserRevocation{Block: blk}
	blocked := b.blockEntry(logging.EventUserBlocked, a, userARN)
	blocked.Reason = blk.Reason
	if !blk.Until.IsZero() {
		end := blk.Until
		blocked.ExpiresAt = &end
		blocked.DurationSeconds = int64(forDuration.Seconds())
	}
	if err := b.appendLifecycle(&blocked, "block of "+userARN); err != nil {
		return out, err
	}

	active, err := activeSessionsOf(ctx, st, userARN, now)
	if err != nil {
		return out, fmt.Errorf("%s is blocked, but listing their sessions failed: %w", userARN, err)
	}
	var failed []string
	for _, s := range active {
		id := s.ID
		s, err := st.Change(ctx, s.ID, func(s *session.Session) error { return s.Revoke(a.Identity.Name, a.Identity.ARN, blk.Reason, now) })
		if errors.Is(err, session.ErrTransition) || errors.Is(err, session.ErrNotFound) {
			continue // it ended in the meantime
		}
		if err != nil {
			failed = append(failed, id)
			b.debugf("revoke session %s: %v", id, err)
			continue
		}
		out.Revoked = append(out.Revoked, s)
		e := b.sessionEntry(logging.EventSessionRevoked, a, s)
		e.Reason = blk.Reason
		if err := b.appendLifecycle(&e, "revocation of session "+s.ID); err != nil {
			return out, err
		}
		b.sendNotification(ctx, a, sessionNotification(a, s, blk.Reason))
	}
	var sessionRoles []string
	for _, s := range out.Revoked {
		sessionRoles = append(sessionRoles, b.rolesOf(s.Profile, s.RoleARN)...)
	}
	aws := b.revokeInAWS(ctx, a, stores, userARN+" is blocked", b.blockInAWS(ctx, userARN, sessionRoles, a))
	if len(failed) > 0 {
		return out, errors.Join(fmt.Errorf("%s is blocked, but %d of their sessions could not be revoked (%s): run it again",
			userARN, len(failed), strings.Join(failed, ", ")), aws)
	}
	return out, aws
}

// UnblockUser lifts the block of userARN that is in force now. Only an
// approver who is neither blocked nor the blocked person may: a thief
// with a blocked approver's keys cannot lift that block, nor use it to
// lift another. With no block in force it returns an error matching
// session.ErrNotFound. Sessions the block revoked stay revoked.
func (b *Broker) UnblockUser(ctx context.Context, a *Actor, userARN string) error {
	if err := b.checkBlockTarget(userARN); err != nil {
		return err
	}
	if !b.isAnyApprover(a) {
		return forbidden(a.Identity, "unblock "+userARN, "an approver named in the policy")
	}
	if session.BlockKey(a.Identity.ARN) == session.BlockKey(userARN) {
		return forbidden(a.Identity, "unblock "+userARN, "another approver, never the blocked person")
	}
	now := b.now()
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return err
	}
	defer stores.Close()
	if err := b.refuseBlockedActor(ctx, stores.Sessions(), a, "unblock "+userARN); err != nil {
		return err
	}
	if err := stores.Sessions().Unblock(ctx, userARN, a.Identity.Name, a.Identity.ARN, now); err != nil {
		if errors.Is(err, session.ErrNotFound) {
			return &noBlockError{userARN: userARN}
		}
		return fmt.Errorf("unblock %s: %w", userARN, err)
	}
	e := b.blockEntry(logging.EventUserUnblocked, a, userARN)
	err = b.appendLifecycle(&e, "unblock of "+userARN)
	aws := b.revokeInAWS(ctx, a, stores, userARN+" is unblocked", b.unblockInAWS(ctx, userARN, a))
	return errors.Join(err, aws)
}

// activeSessionsOf lists the active sessions of the person of userARN.
// For an IAM user the person key is the folded ARN, which the by-ARN index
// serves; any other person may have sessions under several ARNs (an IAM
// Identity Center user in several accounts, a role under many session
// names), so the active sessions are listed and matched by person key.
func activeSessionsOf(ctx context.Context, st session.Store, userARN string, now time.Time) ([]*session.Session, error) {
	if k, err := person.Of(userARN); err == nil && k.Kind == person.KindUser {
		return st.List(ctx, session.Query{UserARN: userARN, Status: session.StatusActive}.Record(now))
	}
	all, err := st.List(ctx, session.Query{Status: session.StatusActive}.Record(now))
	if err != nil {
		return nil, err
	}
	key := session.BlockKey(userARN)
	var out []*session.Session
	for _, s := range all {
		if session.BlockKey(s.UserARN) == key {
			out = append(out, s)
		}
	}
	return out, nil
}

// mayRevoke reports whether a may revoke s: s is a's own session (the same
// person, person.Same), or a is an approver of s's profile under the current
// policy.
func (b *Broker) mayRevoke(a *Actor, s *session.Session) bool {
	if person.Same(s.UserARN, a.Identity.ARN) {
		return true
	}
	rule, ok := b.Policy.ApprovalRuleFor(s.Profile)
	return ok && rule.IsApprover(a.Identity.Name, a.Identity.ARN)
}

// isAnyApprover reports whether a is an approver in any approval rule of
// the current policy. A block refuses a user's sessions on every profile
// at once, and it is meant for an emergency (a stolen laptop) in which
// waiting for the approver of each profile would leave the thief working;
// so any person the policy trusts to approve may block anyone, and every
// block and unblock is logged with who did it.
func (b *Broker) isAnyApprover(a *Actor) bool {
	if b.Policy == nil {
		return false
	}
	for i := range b.Policy.Approvals {
		if b.Policy.Approvals[i].IsApprover(a.Identity.Name, a.Identity.ARN) {
			return true
		}
	}
	return false
}

func (b *Broker) sessionEntry(event string, a *Actor, s *session.Session) logging.Entry {
	end := s.ExpiresAt.UTC()
	return logging.Entry{
		Time:           b.now(),
		Event:          event,
		Actor:          a.Identity.Name,
		ActorARN:       a.Identity.ARN,
		SessionID:      s.ID,
		User:           s.User,
		PrincipalARN:   s.UserARN,
		Account:        s.Account,
		Profile:        s.Profile,
		RoleARN:        s.RoleARN,
		SourceIdentity: s.SourceIdentity,
		Status:         string(s.Status),
		ExpiresAt:      &end,
		PolicyPath:     b.Policy.Path,
		PolicySHA256:   b.Policy.SHA256,
	}
}

func (b *Broker) blockEntry(event string, a *Actor, userARN string) logging.Entry {
	return logging.Entry{
		Time:         b.now(),
		Event:        event,
		Actor:        a.Identity.Name,
		ActorARN:     a.Identity.ARN,
		PrincipalARN: userARN,
		PolicyPath:   b.Policy.Path,
		PolicySHA256: b.Policy.SHA256,
	}
}

// checkSessionID refuses, before any store call, an ID that no session
// can have.
func checkSessionID(id string) error {
	if session.ValidID(id) {
		return nil
	}
	return fmt.Errorf("%w: %s is not a session ID (16 hex digits)", session.ErrNotFound, quoteID(id))
}

// checkUserARN refuses, before any store call, anything but the ARN of an
// IAM user or STS principal, so that a typo cannot store a block that
// matches nobody.
func checkUserARN(arn string) error {
	if _, err := vault.ParseIdentity(arn, "", ""); err != nil {
		return fmt.Errorf("%w: %s is not the ARN of an IAM user or role session", session.ErrInvalid, quoteID(arn))
	}
	return nil
}

// noBlockError says that the user has no block in force.
type noBlockError struct{ userARN string }

func (e *noBlockError) Error() string { return "no block is in force for " + e.userARN }
func (e *noBlockError) Unwrap() error { return session.ErrNotFound }

// sessionLookupError words a store error about one session.
func sessionLookupError(id string, err error) error {
	return lookupError("session", id, session.ErrNotFound, err)
}
