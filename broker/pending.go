package broker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/vault"
)

// ErrDuplicateRequest is matched when the requester already has a pending
// request for the profile and did not force another. It also matches
// request.ErrConflict.
var ErrDuplicateRequest = errors.New("a pending request for this profile exists already")

// DuplicateRequestError names the pending request a new one would
// duplicate.
type DuplicateRequestError struct {
	Existing *request.Request
}

func (e *DuplicateRequestError) Error() string {
	return fmt.Sprintf("request %s for profile %s, created %s, is still pending",
		e.Existing.ID, e.Existing.Profile, e.Existing.CreatedAt.UTC().Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrDuplicateRequest) and errors.Is(err,
// request.ErrConflict) true.
func (e *DuplicateRequestError) Is(target error) bool {
	return target == ErrDuplicateRequest || target == request.ErrConflict
}

// PendingRequest is the caller's own request still waiting for approval,
// named in a denial so the person waits for it rather than asking again.
type PendingRequest struct {
	ID        string
	CreatedAt time.Time
	// Approvers are the approval rule's approvers (names, ARNs or globs).
	Approvers []string
	// Approvals and Required count the approvals so far and needed.
	Approvals, Required int
}

// pendingOf lists who's requests for profile that are pending as of now,
// newest first. who is a person (person.Same on the requester ARN), never a
// name: a role session that calls itself alice neither fills alice's
// pending-request limit nor escapes its own by changing its session name.
// The listing is the profile's pending requests, which their TTL keeps
// few.
func (b *Broker) pendingOf(ctx context.Context, st request.Store, who vault.Identity, profile string) ([]*request.Request, error) {
	reqs, err := st.List(ctx, request.Query{Profile: profile, Status: request.StatusPending}.Record(b.now()))
	if err != nil {
		return nil, err
	}
	out := reqs[:0]
	for _, r := range reqs {
		if person.Same(r.RequesterARN, who.ARN) {
			out = append(out, r)
		}
	}
	return out, nil
}

// pendingForDenial finds the caller's own pending request for the profile
// of a require_approval denial. A failed lookup only leaves it out: the
// denial stands either way.
func (b *Broker) pendingForDenial(ctx context.Context, sign Signer, who vault.Identity, profile string, rule *policy.ApprovalRule) *PendingRequest {
	if b.OpenStores == nil {
		return nil
	}
	stores, err := b.OpenStores(ctx, sign)
	if err != nil {
		b.debugf("pending request lookup: %v", err)
		return nil
	}
	defer stores.Close()
	reqs, err := b.pendingOf(ctx, stores.Requests(), who, profile)
	if err != nil || len(reqs) == 0 {
		if err != nil {
			b.debugf("pending request lookup: %v", err)
		}
		return nil
	}
	r := reqs[0]
	return &PendingRequest{ID: r.ID, CreatedAt: r.CreatedAt, Approvers: slices.Clone(rule.Approvers), Required: r.Required, Approvals: r.Approvals()}
}

// ListReviewable lists the pending requests the actor may approve under
// the current policy: an approval rule names them as an approver of the
// request's profile, and they are not its requester. Newest first.
func (b *Broker) ListReviewable(ctx context.Context, a *Actor) ([]*request.Request, error) {
	pending, err := b.ListRequests(ctx, a, request.Query{Status: request.StatusPending})
	if err != nil {
		return nil, err
	}
	out := pending[:0]
	for _, r := range pending {
		rule, ok := b.Policy.ApprovalRuleFor(r.Profile)
		if !ok || !rule.IsApprover(a.Identity.Name, a.Identity.ARN) {
			continue
		}
		if checkNotRequester(r, a, request.ActionApprove) != nil || reviewedBy(r, a) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// reviewedBy reports whether a already reviewed r (a two-person rule
// still pending after their approval).
func reviewedBy(r *request.Request, a *Actor) bool {
	for _, rv := range r.Reviews {
		if person.Same(rv.ARN, a.Identity.ARN) {
			return true
		}
	}
	return false
}

// MinIDPrefix is the shortest request ID prefix ResolveRequestID accepts.
const MinIDPrefix = request.IndexedPrefixLen

// ErrAmbiguousID is matched by an ID prefix that more than one request
// has.
var ErrAmbiguousID = errors.New("ambiguous request ID prefix")

// AmbiguousIDError lists the requests an ID prefix matches.
type AmbiguousIDError struct {
	Prefix     string
	Candidates []string
}

func (e *AmbiguousIDError) Error() string {
	return fmt.Sprintf("request ID prefix %s matches %d requests: %s", e.Prefix, len(e.Candidates), strings.Join(e.Candidates, ", "))
}

// Is makes errors.Is(err, ErrAmbiguousID) and errors.Is(err,
// request.ErrInvalid) true.
func (e *AmbiguousIDError) Is(target error) bool {
	return target == ErrAmbiguousID || target == request.ErrInvalid
}

// ResolveRequestID turns an ID or a prefix of one (at least MinIDPrefix
// hex digits) into the full ID, among the requests the actor can list:
// their own and every pending one, then, when none matches, everyone's
// through the store's ID-prefix index. A full ID is returned as it is; no
// match is a *record.NotFoundError, several an *AmbiguousIDError.
func (b *Broker) ResolveRequestID(ctx context.Context, a *Actor, prefix string) (string, error) {
	if request.ValidID(prefix) {
		return prefix, nil
	}
	if err := checkIDPrefix(prefix); err != nil {
		return "", err
	}
	own, err := b.ListRequests(ctx, a, request.Query{Requester: a.Identity.Name})
	if err != nil {
		return "", err
	}
	pending, err := b.ListRequests(ctx, a, request.Query{Status: request.StatusPending})
	if err != nil {
		return "", err
	}
	id, err := MatchRequestID(prefix, append(own, pending...))
	var nf *record.NotFoundError
	if !errors.As(err, &nf) {
		return id, err
	}
	return b.resolveByIndex(ctx, a, prefix, err)
}

// prefixCandidates caps how many IDs the ID-prefix index is asked for: two
// already make a prefix ambiguous, a few more make the message useful.
const prefixCandidates = 8

// resolveByIndex looks prefix up in the store's ID-prefix index, which
// holds everyone's requests in every status. A store without one, or an
// index that cannot be read (a table made before it existed, until `init
// tables` runs again), leaves notFound as the answer. The ID found is only
// a name: whoever acts on it reads the request and checks it again.
func (b *Broker) resolveByIndex(ctx context.Context, a *Actor, prefix string, notFound error) (string, error) {
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return "", err
	}
	defer stores.Close()
	idx, ok := stores.Requests().(request.IDPrefixIndex)
	if !ok {
		return "", notFound
	}
	ids, err := idx.IDsWithPrefix(ctx, prefix, prefixCandidates)
	if err != nil {
		b.debugf("ID-prefix index not used: %v", err)
		return "", notFound
	}
	switch len(ids) {
	case 0:
		return "", notFound
	case 1:
		return ids[0], nil
	}
	return "", &AmbiguousIDError{Prefix: prefix, Candidates: ids}
}

// MatchRequestID picks the one request among candidates whose ID starts
// with prefix (see ResolveRequestID); the team client's callers use it on
// the listings the service gives them.
func MatchRequestID(prefix string, candidates []*request.Request) (string, error) {
	if request.ValidID(prefix) {
		return prefix, nil
	}
	if err := checkIDPrefix(prefix); err != nil {
		return "", err
	}
	var ids []string
	for _, r := range candidates {
		if r != nil && strings.HasPrefix(r.ID, prefix) && !slices.Contains(ids, r.ID) {
			ids = append(ids, r.ID)
		}
	}
	switch len(ids) {
	case 0:
		return "", &record.NotFoundError{Kind: "request", ID: prefix + "...", Err: request.ErrNotFound}
	case 1:
		return ids[0], nil
	}
	slices.Sort(ids)
	return "", &AmbiguousIDError{Prefix: prefix, Candidates: ids}
}

// checkIDPrefix refuses what cannot be a request ID prefix: fewer than
// MinIDPrefix or more than 15 characters, or anything but lowercase hex
// digits (IDs have only those).
func checkIDPrefix(prefix string) error {
	ok := len(prefix) >= MinIDPrefix && len(prefix) < 16
	for i := 0; ok && i < len(prefix); i++ {
		c := prefix[i]
		ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
	}
	if ok {
		return nil
	}
	return fmt.Errorf("%w: %s is not a request ID (16 hex digits, as `sentinel request` prints) or a prefix of at least %d of them",
		request.ErrNotFound, quoteID(prefix), MinIDPrefix)
}
