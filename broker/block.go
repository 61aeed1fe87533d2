package broker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/vault"
)

// A block (`sessions revoke --user`) wins every race and every path:
//
//   - Server mode and the team service: the store write made just before
//     credentials are handed out, the session touch, fails in the same
//     atomic write when the session's person is blocked (see
//     session.Store.Touch), and so does the creation of a session. The
//     broker then revokes the session in the name of whoever blocked.
//   - Paths without a session (exec, credentials, export, login): after
//     STS answered and before anything is handed out, the person's block
//     is read (checkBlock). A warm `credentials` (credential_process)
//     cache hit may rely on a check at most BlockCheckMaxAge old, recorded
//     in the cache entry, so that warm path reads no store.
//
// A blocked person may not act on others either (refuseBlockedActor).

// BlockCheckMaxAge is how old the block check a warm credentials cache
// hit relies on may be: a block reaches a laptop whose credentials are
// cached within this time.
const BlockCheckMaxAge = 5 * time.Minute

// blockedError words a block in force as the refusal the doors map.
func blockedError(blk *session.Block) error {
	if blk == nil {
		return &RevokedError{Blocked: true, By: "an approver", Reason: "blocked"}
	}
	return &RevokedError{Blocked: true, By: actorWithAccount(blk.By, blk.ByARN), Reason: blk.Reason, Until: blk.Until}
}

// refusedTouch turns a touch refused because of a block into the
// revocation of the session, in the blocker's name, and the refusal.
// Revoking here (rather than waiting for the blocker's listing) is what
// leaves no session of a blocked person active, whatever the race.
func (b *Broker) refusedTouch(ctx context.Context, st session.Store, id string, caller vault.Identity, err error, now time.Time) error {
	var be *session.BlockedError
	if !errors.As(err, &be) {
		return err
	}
	by, byARN, reason := "sentinel", "", "the user is blocked"
	if be.Block != nil {
		by, byARN, reason = be.Block.By, be.Block.ByARN, be.Block.Reason
	}
	if _, rerr := st.Change(ctx, id, func(s *session.Session) error { return s.Revoke(by, byARN, reason, now) }); rerr == nil {
		e := logging.Entry{
			Event: logging.EventSessionRevoked, Actor: by, ActorARN: byARN, Subject: id, SessionID: id,
			User: caller.Name, PrincipalARN: caller.ARN, Account: caller.Account, Reason: reason,
			Status: string(session.StatusRevoked), PolicyPath: b.Policy.Path, PolicySHA256: b.Policy.SHA256,
			Comment: "revoked when its person was found blocked",
		}
		if lerr := b.Log.Append(&e); lerr != nil {
			b.debugf("revocation of blocked session %s not logged: %v", id, lerr)
		}
	} else if !errors.Is(rerr, session.ErrTransition) {
		b.debugf("session %s of a blocked user not revoked: %v", id, rerr)
	}
	return blockedError(be.Block)
}

// checkBlock reads the block of caller's person, for a path without a
// session, after STS answered and before anything is handed out. Without
// a store configured there is nothing to read; a store that cannot be
// read refuses (fail closed).
func (b *Broker) checkBlock(ctx context.Context, sign Signer, caller vault.Identity, now time.Time) error {
	if b.OpenStores == nil {
		return nil
	}
	stores, err := b.OpenStores(ctx, sign)
	if err != nil {
		return unavailable("session", err)
	}
	defer stores.Close()
	blk, blocked, err := stores.Sessions().ActiveBlock(ctx, caller.ARN, now)
	if err != nil {
		return unavailable("session", err)
	}
	if blocked {
		return blockedError(blk)
	}
	return nil
}

// checkIssuedBlock is the block check of Issue for paths without a
// session. A warm credential_process hit whose entry records a check less
// than BlockCheckMaxAge old needs none. Otherwise the block is read, and when
// the person is not blocked the time of the check goes into grant: a
// cache hit's entry is rewritten with it here, and a fresh set is cached
// with it by keepCredentials, which runs only after this check passed, so
// a refused check leaves nothing a later hit could rely on.
func (b *Broker) checkIssuedBlock(ctx context.Context, chain *vault.Chain, in Input, basis string, grant *Grant, now time.Time) error {
	if b.OpenStores == nil {
		return nil // no store, no block to read, and no check to record
	}
	// Only credential_process relies on a recent check: the AWS SDK calls
	// it for every client it builds, while exec, export and login start
	// something slower than one store read anyway.
	if in.Mode == policy.ModeCredentialProcess && grant.Cached && !grant.blockCheckedAt.IsZero() &&
		now.Sub(grant.blockCheckedAt) < BlockCheckMaxAge && !grant.blockCheckedAt.After(now) {
		return nil
	}
	if err := b.checkBlock(ctx, b.signerFor(chain), grant.Caller, now); err != nil {
		// Issue then drops the person's cache entries (forgetBlocked),
		// so no later warm hit relies on a check older than this one.
		return err
	}
	grant.blockCheckedAt = now
	if !grant.Cached || b.Cache == nil || chain.SSODirect() || in.Use == UseConsole {
		return nil
	}
	key := vault.RoleKeyFor(chain, stsRegion(chain, in), basis)
	e := vault.RoleEntry{Credentials: grant.Credentials, RoleARN: grant.RoleARN, SourceIdentity: grant.SourceIdentity,
		RequestID: grant.cachedRequestID, Identity: grant.Caller, BlockCheckedAt: now}
	if e.RequestID == "" {
		e.RequestID = grant.RequestID
	}
	if cerr := b.Cache.PutRole(key, e); cerr != nil {
		b.debugf("cache: block check not recorded: %v", cerr)
	}
	return nil
}

// forgetBlocked drops the keyring cache's credentials of caller when err
// refuses them because caller is blocked (see Cache.DropRolesOf). Without
// a keyring cache (server mode of the team service) there is nothing to
// drop.
func (b *Broker) forgetBlocked(caller vault.Identity, err error) {
	var re *RevokedError
	if b.Cache == nil || caller.ARN == "" || !errors.As(err, &re) || !re.Blocked {
		return
	}
	if n, derr := b.Cache.DropRolesOf(caller.ARN); derr != nil {
		b.debugf("cache: credentials of blocked %s not all dropped: %v", caller.ARN, derr)
	} else if n > 0 {
		b.debugf("cache: dropped %d cached credential set(s) of blocked %s", n, caller.ARN)
	}
}

// refuseBlockedActor refuses an action on others (approve, deny, block,
// unblock, revoking others' sessions, closing others' break-glass) by a
// person who is blocked: a thief with an approver's keys must not lift
// the block on them or act for them.
func (b *Broker) refuseBlockedActor(ctx context.Context, st session.Store, a *Actor, action string) error {
	blk, blocked, err := st.ActiveBlock(ctx, a.Identity.ARN, b.now())
	if err != nil {
		return unavailable("session", err)
	}
	if !blocked {
		return nil
	}
	return forbidden(a.Identity, action,
		fmt.Sprintf("a person who is not blocked (blocked by %s: %s)", actorWithAccount(blk.By, blk.ByARN), blk.Reason))
}

// refuseIfBlocked is refuseBlockedActor for an operation that has not
// opened the stores yet.
func (b *Broker) refuseIfBlocked(ctx context.Context, a *Actor, action string) error {
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return err
	}
	defer stores.Close()
	return b.refuseBlockedActor(ctx, stores.Sessions(), a, action)
}

// checkBlockTarget refuses a block or unblock of an ARN that is not a
// caller ARN, or whose account is not in the policy's accounts: (when it
// has that list) or, in the team service, the service's accounts: such a
// block would match nobody the policy serves, and a 200 with nothing
// revoked would read as success.
func (b *Broker) checkBlockTarget(arn string) error {
	if err := checkUserARN(arn); err != nil {
		return err
	}
	k, err := person.Of(arn)
	if err != nil {
		return fmt.Errorf("%w: %s is not the ARN of an IAM user or role session", session.ErrInvalid, quoteID(arn))
	}
	if b.Policy != nil && len(b.Policy.Accounts) > 0 && !containsAccount(b.Policy.Accounts, k.Account) {
		return fmt.Errorf("%w: %s is in account %s, which is not one of the policy's accounts", session.ErrInvalid, quoteID(arn), k.Account)
	}
	// The service admits no caller of another account, whatever the
	// policy lists (a policy may name everyone by ARN and list none).
	if len(b.ServiceAccounts) > 0 && !containsAccount(b.ServiceAccounts, k.Account) {
		return fmt.Errorf("%w: %s is in account %s, which is not one of the service's accounts", session.ErrInvalid, quoteID(arn), k.Account)
	}
	return nil
}

func containsAccount(list []string, account string) bool {
	for _, a := range list {
		if a == account {
			return true
		}
	}
	return false
}
