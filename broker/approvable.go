package broker

import (
	"errors"
	"fmt"
	"time"

	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/vault"
)

// An approval lifts a require_approval decision and nothing else: never an
// explicit deny, the default deny or require_server. So a request is worth
// filing, and an approval worth giving, only when some mode of use gives
// the requester require_approval for the profile now. Older TVM-style
// brokers let any approval lift any deny, which turned every approver into
// someone who could overrule the policy's denies; sentinel does not.

// ErrNotApprovable is matched (errors.Is) when a request could not be used
// because no mode gives its requester require_approval for its profile.
var ErrNotApprovable = errors.New("an approval cannot lift this decision")

// NotApprovableError says that no mode of use gives the requester
// require_approval for the profile now, and which decision stands instead.
// Filing such a request is refused (it matches ErrForbidden); approving an
// existing one is a conflict with the current policy (it matches
// request.ErrConflict), so the service answers 403 and 409.
type NotApprovableError struct {
	Profile string
	User    string
	UserARN string
	// Decision is the deciding decision: an explicit deny when a mode has
	// one, else the default deny, else require_server, else allow.
	Decision policy.Decision
	// Mode is the mode Decision was reached in.
	Mode policy.Mode
	// RequestID is set when an existing request was being approved.
	RequestID string
}

func (e *NotApprovableError) Error() string {
	subject := e.Profile
	if e.RequestID != "" {
		subject = fmt.Sprintf("request %s could not be used: %s", e.RequestID, e.Profile)
	}
	d := e.Decision
	switch {
	case d.Effect == policy.EffectDeny && d.Rule == "":
		return fmt.Sprintf("%s is denied for %s: no rule matches; an approval cannot lift a deny", subject, e.User)
	case d.Effect == policy.EffectDeny:
		return fmt.Sprintf("%s is denied for %s by rule %s; an approval cannot lift a deny", subject, e.User, d.Rule)
	case d.Effect == policy.EffectRequireServer:
		return fmt.Sprintf("%s needs server mode for %s by rule %s; an approval cannot lift require_server", subject, e.User, d.Rule)
	}
	return fmt.Sprintf("%s is allowed for %s by rule %s; no approval is needed", subject, e.User, d.Rule)
}

// Is makes errors.Is match ErrNotApprovable, and ErrForbidden for a new
// request or request.ErrConflict for an approval of an existing one.
func (e *NotApprovableError) Is(target error) bool {
	if target == ErrNotApprovable {
		return true
	}
	if e.RequestID != "" {
		return target == request.ErrConflict
	}
	return target == ErrForbidden
}

// approvalModes are the modes in which a request could be used, in the
// order a deciding decision is reported.
var approvalModes = []policy.Mode{policy.ModeCLI, policy.ModeCredentialProcess, policy.ModeServer}

// RequesterDecision is the policy's decision now for who on profile: a
// require_approval decision when any mode gives one (so an approval could
// be used), else the deciding decision as NotApprovableError picks it.
func (b *Broker) RequesterDecision(who vault.Identity, profile string, now time.Time) (policy.Decision, policy.Mode, bool) {
	roles := b.profileRoles(profile)
	var (
		pick     policy.Decision
		pickMode policy.Mode
		havePick bool
	)
	rank := func(d policy.Decision) int {
		switch {
		case d.Effect == policy.EffectDeny && d.Rule != "":
			return 0
		case d.Effect == policy.EffectDeny:
			return 1
		case d.Effect == policy.EffectRequireServer:
			return 2
		}
		return 3
	}
	for _, m := range approvalModes {
		d := b.Policy.Evaluate(policy.Request{User: who.Name, ARN: who.ARN, Profile: profile, Roles: roles, Mode: m, Time: now})
		if d.Effect == policy.EffectRequireApproval {
			return d, m, true
		}
		if !havePick || rank(d) < rank(pick) {
			pick, pickMode, havePick = d, m, true
		}
	}
	return pick, pickMode, false
}

// checkApprovable refuses a request who could not use: no mode gives them
// require_approval for profile at now. requestID is "" for a new request.
func (b *Broker) checkApprovable(who vault.Identity, profile, requestID string, now time.Time) error {
	d, m, ok := b.RequesterDecision(who, profile, now)
	if ok {
		return nil
	}
	return &NotApprovableError{Profile: profile, User: who.Name, UserARN: who.ARN, Decision: d, Mode: m, RequestID: requestID}
}

// profileRoles are the roles profile's chain assumes, as the credential
// flow would pass them to the policy: the catalogue's or the person's
// config's chain, else the pinned role alone, else none.
func (b *Broker) profileRoles(profile string) []string {
	if b.Catalogue || (b.Profiles != nil && b.Keys != nil) {
		if chain, err := b.resolveChain(profile); err == nil {
			return chainRoles(chain)
		}
	}
	if pin, ok := b.Policy.Pin(profile); ok && pin.RoleARN != "" {
		return append(append([]string(nil), pin.Via...), pin.RoleARN)
	}
	return nil
}

// RequestDecision is RequesterDecision for the requester of r on its
// profile, now: what `approve` and `deny` show, and what the team service
// answers on GET /v1/requests/{id}/decision.
func (b *Broker) RequestDecision(r *request.Request) (policy.Decision, bool) {
	d, _, usable := b.RequesterDecision(vault.Identity{Name: r.Requester, ARN: r.RequesterARN}, r.Profile, b.now())
	return d, usable
}
