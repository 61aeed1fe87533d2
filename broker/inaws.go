package broker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/awsrevoke"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/revocation"
)

// InAWS makes a revocation bite in AWS: after a session is revoked, a
// person blocked or unblocked, an approved request revoked or a
// break-glass event closed, the broker stores revocation entries and
// writes the SentinelRevocations policy of every role they name
// (awsrevoke). The store holds the revocation whatever IAM does.
type InAWS struct {
	// Client returns the IAM client of an account (awsrevoke.Accounts).
	Client awsrevoke.ClientFor
	// Holder names this process in the role leases; empty means a random
	// one per write.
	Holder string
	// Longest returns a role's longest session, for the size-limit
	// fallback; nil means revocation.MaxCredentialLifetime.
	Longest func(role string) time.Duration
}

// RevocationStores is what a store offers when it keeps the revocation
// list: both backends do; a store that does not cannot revoke in AWS.
type RevocationStores interface {
	Revocations() revocation.Store
}

// Errors of revocation in AWS, checked with errors.Is.
var (
	// ErrInAWSFailed means the revocation holds in the store but the
	// SentinelRevocations policy of one or more roles was not written:
	// `sentinel sessions sync-aws` writes it again. Its error is an
	// *InAWSError.
	ErrInAWSFailed = errors.New("revocation in AWS failed")
	// ErrNoRevocationList means the store keeps no revocation list.
	ErrNoRevocationList = errors.New("the store keeps no revocation list")
)

// InAWSError says what holds in the store and which roles' policies were
// not written, and why.
type InAWSError struct {
	// Holds is what the store holds ("session 0123... is revoked").
	Holds string
	// Failed are the roles whose write failed, with the reason.
	Failed []awsrevoke.Result
	// Err is a failure before any role was written (the store), if any.
	Err error
}

func (e *InAWSError) Error() string {
	var why []string
	if e.Err != nil {
		why = append(why, e.Err.Error())
	}
	for _, r := range e.Failed {
		why = append(why, r.Err.Error())
	}
	return fmt.Sprintf("%s, but writing the AWS deny failed: %s", e.Holds, strings.Join(why, "; "))
}

// Is makes errors.Is(err, ErrInAWSFailed) true.
func (e *InAWSError) Is(target error) bool { return target == ErrInAWSFailed }

// Unwrap returns the store failure, if any.
func (e *InAWSError) Unwrap() error { return e.Err }

// revocationList returns the stores' revocation list.
func revocationList(stores Stores) (revocation.Store, error) {
	rs, ok := stores.(RevocationStores)
	if !ok {
		return nil, ErrNoRevocationList
	}
	st := rs.Revocations()
	if st == nil {
		return nil, ErrNoRevocationList
	}
	return st, nil
}

// writer returns the awsrevoke.Writer over st.
func (b *Broker) writer(st revocation.Store) *awsrevoke.Writer {
	return &awsrevoke.Writer{Store: st, Client: b.InAWS.Client, Holder: b.InAWS.Holder, Now: b.Now, Longest: b.InAWS.Longest}
}

// rolesOf returns the role of a profile's credentials and its pin's via
// roles: every role sentinel hands out credentials for under it. Roles
// that are not role ARNs (a profile without a role) are left out.
func (b *Broker) rolesOf(profile, roleARN string) []string {
	roles := []string{roleARN}
	if pin, ok := b.Policy.Pin(profile); ok {
		roles = append(roles, pin.RoleARN)
		roles = append(roles, pin.Via...)
	}
	return cleanRoles(roles)
}

// catalogueRoles are every role a person's credentials may be for: those
// of the policy's profiles: (pinned and via) and, locally, the roles of the
// AWS config's profiles, which a policy without pins leaves to the config.
func (b *Broker) catalogueRoles() []string {
	var roles []string
	for _, pin := range b.Policy.Pins {
		roles = append(roles, pin.RoleARN)
		roles = append(roles, pin.Via...)
	}
	if b.Profiles != nil {
		for _, name := range b.Profiles.ProfileNames() {
			if p, ok := b.Profiles.Profile(name); ok {
				roles = append(roles, p.RoleARN)
			}
		}
	}
	return cleanRoles(roles)
}

// cleanRoles keeps the role ARNs, once each ignoring case, sorted.
func cleanRoles(roles []string) []string {
	var out []string
	for _, r := range roles {
		if revocation.ValidRoleARN(r) && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, r) }) {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}

// chunks splits roles into entries' worth (revocation.MaxRoles).
func chunks(roles []string) [][]string {
	var out [][]string
	for len(roles) > revocation.MaxRoles {
		out = append(out, roles[:revocation.MaxRoles])
		roles = roles[revocation.MaxRoles:]
	}
	if len(roles) > 0 {
		out = append(out, roles)
	}
	return out
}

// latestExpiry bounds an entry's expiry: the latest credential expiry
// known, never past what STS allows after now.
func latestExpiry(now, known time.Time) time.Time {
	limit := now.Add(revocation.MaxCredentialLifetime)
	if known.IsZero() || known.After(limit) {
		return limit
	}
	return known
}

// revokeInAWS stores entries (made by make, which may also change stored
// ones) and writes the policy of every role they name, and of every role
// an active entry names (so a role that failed before is retried), then
// logs the outcome. holds says what the store holds, for an error. It
// does nothing without b.InAWS.
func (b *Broker) revokeInAWS(ctx context.Context, a *Actor, stores Stores, holds string, make func(st revocation.Store, now time.Time) ([]string, error)) error {
	if b.InAWS == nil {
		return nil
	}
	st, err := revocationList(stores)
	if err != nil {
		return &InAWSError{Holds: holds, Err: err}
	}
	roles, err := make(st, b.now())
	if err != nil {
		if errors.Is(err, revocation.ErrNothingLeft) {
			return nil
		}
		return &InAWSError{Holds: holds, Err: err}
	}
	active, err := st.List(ctx, record.Query[revocation.Status]{Where: []record.Match{{Index: record.StatusIndex, Value: string(revocation.StatusActive)}}})
	if err != nil {
		return &InAWSError{Holds: holds, Err: err}
	}
	roles = cleanRoles(append(roles, revocation.Roles(active)...))
	results := b.writer(st).Sync(ctx, roles)
	return b.reportInAWS(ctx, a, holds, results)
}

// reportInAWS logs the results: one session.revoked_in_aws per document
// written (the roles that got it), one revoke_in_aws.failed for the roles
// that failed; a fallback is said loudly. It returns an *InAWSError when
// a role failed.
func (b *Broker) reportInAWS(ctx context.Context, a *Actor, holds string, results []awsrevoke.Result) error {
	byDoc := map[string][]string{}
	var docs []string
	var failedRoles []string
	var failed []awsrevoke.Result
	for _, r := range results {
		switch {
		case r.Err != nil:
			failed = append(failed, r)
			failedRoles = append(failedRoles, r.Role)
		case r.Deleted, r.NoRole:
			continue
		default:
			if _, ok := byDoc[r.SHA256]; !ok {
				docs = append(docs, r.SHA256)
			}
			byDoc[r.SHA256] = append(byDoc[r.SHA256], r.Role)
		}
		if r.Fallback {
			noteFallback(ctx, Fallback{Role: r.Role, IssuedBefore: r.IssuedBefore})
			b.warnf("revoke in AWS: the revocation list of %s does not fit its inline policy limit: EVERY session of the role issued before %s is denied, innocent ones included, until they expire",
				r.Role, r.IssuedBefore.UTC().Format(time.RFC3339))
		}
	}
	var logErr error
	for _, sha := range docs {
		e := logging.Entry{Time: b.now(), Event: logging.EventRevokedInAWS, Actor: a.Identity.Name, ActorARN: a.Identity.ARN,
			Roles: byDoc[sha], PolicySHA256: sha, PolicyPath: b.Policy.Path}
		for _, r := range results {
			if r.Fallback && r.SHA256 == sha {
				e.Note = "fallback: every session of the role issued before " + r.IssuedBefore.UTC().Format(time.RFC3339) + " is denied"
			}
		}
		if err := b.Log.Append(&e); err != nil && logErr == nil {
			logErr = err
		}
	}
	if len(failed) == 0 {
		if logErr != nil {
			return fmt.Errorf("%s and denied in AWS, but the log could not be written: %w", holds, logErr)
		}
		return nil
	}
	e := logging.Entry{Time: b.now(), Event: logging.EventRevokeInAWSFailed, Actor: a.Identity.Name, ActorARN: a.Identity.ARN,
		Roles: failedRoles, Reason: oneLineReason(failed[0].Err), PolicyPath: b.Policy.Path}
	_ = b.Log.Append(&e) // the failure is returned either way
	return &InAWSError{Holds: holds, Failed: failed}
}

// oneLineReason is an error on one line for the log.
func oneLineReason(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// sessionInAWS stores the entry revoking session id (its roles, until its
// last credentials expire).
func (b *Broker) sessionInAWS(ctx context.Context, id, profile, roleARN string, expires time.Time, a *Actor) func(revocation.Store, time.Time) ([]string, error) {
	return func(st revocation.Store, now time.Time) ([]string, error) {
		roles := b.rolesOf(profile, roleARN)
		if len(roles) == 0 {
			return nil, nil
		}
		if !expires.IsZero() && !expires.After(now) {
			return nil, revocation.ErrNothingLeft
		}
		e, err := revocation.NewSession(id, revocation.Params{Roles: roles, Now: now, ExpiresAt: latestExpiry(now, expires), By: a.Identity.Name, ByARN: a.Identity.ARN})
		if err != nil {
			return nil, err
		}
		return roles, st.Create(ctx, e)
	}
}

// grantInAWS stores the entry revoking the credentials issued under basis
// (an approval or a break-glass event) for profile's roles.
func (b *Broker) grantInAWS(ctx context.Context, basis, profile, roleARN string, a *Actor) func(revocation.Store, time.Time) ([]string, error) {
	return func(st revocation.Store, now time.Time) ([]string, error) {
		roles := b.rolesOf(profile, roleARN)
		if len(roles) == 0 {
			return nil, nil
		}
		e, err := revocation.NewGrant(basis, revocation.Params{Roles: roles, Now: now, ExpiresAt: latestExpiry(now, time.Time{}), By: a.Identity.Name, ByARN: a.Identity.ARN})
		if err != nil {
			return nil, err
		}
		return roles, st.Create(ctx, e)
	}
}

// labelOf is the label of the person behind arn under the policy.
func (b *Broker) labelOf(arn string) (string, error) {
	k, err := person.Of(arn)
	if err != nil {
		return "", err
	}
	return person.Label(k, b.homeAccount()), nil
}

// blockInAWS stores the entries denying every credential of the person of
// userARN on every role they may hold credentials for: the catalogue's
// and those of their sessions.
func (b *Broker) blockInAWS(ctx context.Context, userARN string, sessionRoles []string, a *Actor) func(revocation.Store, time.Time) ([]string, error) {
	return func(st revocation.Store, now time.Time) ([]string, error) {
		label, err := b.labelOf(userARN)
		if err != nil {
			return nil, err
		}
		roles := cleanRoles(append(b.catalogueRoles(), sessionRoles...))
		for _, part := range chunks(roles) {
			e, err := revocation.NewBlock(label, revocation.Params{Roles: part, Now: now, ExpiresAt: latestExpiry(now, time.Time{}), By: a.Identity.Name, ByARN: a.Identity.ARN})
			if err != nil {
				return nil, err
			}
			if err := st.Create(ctx, e); err != nil {
				return nil, err
			}
		}
		return roles, nil
	}
}

// unblockInAWS lifts the person's block entries and stores, for each, the
// entry that keeps denying the credentials issued before the block.
func (b *Broker) unblockInAWS(ctx context.Context, userARN string, a *Actor) func(revocation.Store, time.Time) ([]string, error) {
	return func(st revocation.Store, now time.Time) ([]string, error) {
		label, err := b.labelOf(userARN)
		if err != nil {
			return nil, err
		}
		blocks, err := st.List(ctx, record.Query[revocation.Status]{
			Where: []record.Match{{Index: revocation.IndexTarget, Value: revocation.TargetKey(revocation.TargetBlock, label)}},
		})
		if err != nil {
			return nil, err
		}
		var roles []string
		for _, blk := range blocks {
			if blk.Status != revocation.StatusActive {
				continue
			}
			lifted, err := st.Change(ctx, blk.ID, func(e *revocation.Entry) error { return e.Lift(now, a.Identity.Name, a.Identity.ARN) })
			if err != nil {
				if errors.Is(err, record.ErrTransition) {
					continue
				}
				return nil, err
			}
			roles = append(roles, lifted.Roles...)
			ub, err := revocation.NewUnblocked(lifted, now, a.Identity.Name, a.Identity.ARN)
			if errors.Is(err, revocation.ErrNothingLeft) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if err := st.Create(ctx, ub); err != nil {
				return nil, err
			}
		}
		return roles, nil
	}
}

// SyncAWS writes the SentinelRevocations policy of every role the stored
// revocation list names, after pruning the entries whose credentials have
// all expired (sessions sync-aws). Only an approver may. It returns one
// result per role; an *InAWSError when some failed.
func (b *Broker) SyncAWS(ctx context.Context, a *Actor) ([]awsrevoke.Result, error) {
	if !b.isAnyApprover(a) {
		return nil, forbidden(a.Identity, "sync the revocations to AWS", "an approver named in the policy")
	}
	if b.InAWS == nil {
		return nil, ErrInAWSNotConfigured
	}
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return nil, err
	}
	defer stores.Close()
	st, err := revocationList(stores)
	if err != nil {
		return nil, err
	}
	results, err := b.writer(st).SyncAll(ctx)
	if err != nil {
		return nil, &InAWSError{Holds: "the revocation list is unchanged", Err: err}
	}
	return results, b.reportInAWS(ctx, a, "the revocation list holds", results)
}

// ErrInAWSNotConfigured means revocation in AWS is not set up (no
// revoke_in_aws).
var ErrInAWSNotConfigured = errors.New("revocation in AWS is not configured")

// AWSDenies returns the revocation entries naming session id, as stored,
// with the sessions show says when the AWS deny was written, for which
// roles, until when. Without a revocation list it returns none.
func (b *Broker) AWSDenies(ctx context.Context, a *Actor, id string) ([]*revocation.Entry, error) {
	if err := checkSessionID(id); err != nil {
		return nil, err
	}
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return nil, err
	}
	defer stores.Close()
	st, err := revocationList(stores)
	if err != nil {
		return nil, nil
	}
	return st.List(ctx, record.Query[revocation.Status]{Where: []record.Match{{Index: revocation.IndexTarget, Value: revocation.TargetKey(revocation.TargetSession, id)}}})
}
