package broker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/vault"
)

// The team service (`sentinel serve`) runs the one decision flow of Issue
// with three differences, each a field of Broker or Input:
//
//   - Catalogue: the profile is its pin in the policy's profiles: section
//     (role, via hops, region, max duration); no ~/.aws/config is read and
//     the caller never names a role.
//   - BaseCredentials: the service's own AWS credentials start every role
//     chain and sign every store call; there is no keyring.
//   - Input.Caller: who asks was proven by the door (a signed
//     GetCallerIdentity proof), so no lookup establishes it.
//
// Service keeps, per session, the broker.ServerSession that `exec --server`
// keeps for its one child: the warm credentials of that session, reused
// only after a full decision (policy, overrides, revocation check, touch,
// log) allows them again.

// serviceBase names the base of a catalogued chain in messages and logs:
// there is no profile, only the service's own credentials.
const serviceBase = "sentinel-service"

// DefaultMaxServiceSessions bounds the sessions whose warm credentials the
// service keeps in memory when Service.MaxSessions is 0.
const DefaultMaxServiceSessions = 10000

var errNoBaseCredentials = errors.New("no service credentials are configured")

// ErrNotInCatalogue is matched by a request for a profile the service does
// not vend: not in the policy's profiles: section, or pinned to no role.
var ErrNotInCatalogue = errors.New("profile not in the catalogue")

// NotInCatalogueError names the profile the service does not vend.
type NotInCatalogueError struct{ Profile string }

func (e *NotInCatalogueError) Error() string {
	return fmt.Sprintf("profile %s is not in the service's catalogue", e.Profile)
}

// Is makes errors.Is(err, ErrNotInCatalogue) true.
func (e *NotInCatalogueError) Is(target error) bool { return target == ErrNotInCatalogue }

// resolveChain is the chain of profile: its pin when the broker serves the
// catalogue, else the person's AWS config.
func (b *Broker) resolveChain(profile string) (*vault.Chain, error) {
	if b.Catalogue {
		return b.catalogueChain(profile)
	}
	return vault.ResolveChain(b.Profiles, profile, b.Keys.Has)
}

// catalogueChain builds the chain of a pinned profile: the via roles in the
// order the pin lists them, then the pinned role, each assumed from the
// service's own credentials. A profile pinned to no role is not vended: the
// service would hand out a session of its own keys.
func (b *Broker) catalogueChain(profile string) (*vault.Chain, error) {
	pin, ok := b.Policy.Pin(profile)
	if !ok || pin.RoleARN == "" {
		return nil, &NotInCatalogueError{Profile: profile}
	}
	region := firstNonEmpty(pin.Region, b.Region)
	target := vault.Profile{Name: profile, RoleARN: pin.RoleARN, Region: region}
	chain := &vault.Chain{
		Target: target,
		Base:   vault.Profile{Name: serviceBase, Region: region},
		Region: region,
	}
	for i, via := range pin.Via {
		chain.Roles = append(chain.Roles, vault.Profile{Name: fmt.Sprintf("%s.via%d", profile, i+1), RoleARN: via, Region: region})
	}
	chain.Roles = append(chain.Roles, target)
	return chain, nil
}

// CataloguePin returns the pin of a profile the service vends, or a
// *NotInCatalogueError.
func (b *Broker) CataloguePin(profile string) (policy.ProfilePin, error) {
	pin, ok := b.Policy.Pin(profile)
	if !ok || pin.RoleARN == "" {
		return policy.ProfilePin{}, &NotInCatalogueError{Profile: profile}
	}
	return pin, nil
}

// Service is the broker of the team service: it issues credentials to
// proven callers and keeps the warm credentials of their sessions in a
// bounded map. It is safe for concurrent use.
type Service struct {
	// Broker runs the flow; it must have Catalogue set and
	// BaseCredentials, OpenStores and Log configured.
	Broker *Broker
	// ServerID is recorded as the host of every session the service
	// starts.
	ServerID string
	// MaxSessions bounds the sessions kept warm; 0 means
	// DefaultMaxServiceSessions. When full, the oldest entry is dropped:
	// its next request decides as usual and gets new credentials.
	MaxSessions int
	// Anchors keeps the log heads callers record (POST /v1/anchors); nil
	// refuses anchoring with ErrNoAnchors.
	Anchors TeamAnchors

	mu    sync.Mutex
	warm  map[string]*serviceSession
	order []string // insertion order, for eviction
}

// serviceSession is one session kept warm, with whom it belongs to.
type serviceSession struct {
	s        *ServerSession
	ownerARN string
	profile  string
}

// ServiceInput is one request for credentials to the service.
type ServiceInput struct {
	Profile string
	// Duration is the lifetime asked for; 0 means DefaultServerDuration,
	// capped by the policy.
	Duration time.Duration
	// SessionID resumes that session; it must be the caller's own, on the
	// same profile, and active. Empty starts a new session.
	SessionID string
}

// ErrForeignSession is matched by a request naming a session that is not
// the caller's (or not for the profile asked for). It also matches
// ErrForbidden.
var ErrForeignSession = errors.New("session belongs to another caller or profile")

type foreignSessionError struct{ id string }

func (e *foreignSessionError) Error() string {
	return "session " + e.id + " is not the caller's session for this profile"
}

func (e *foreignSessionError) Is(target error) bool {
	return target == ErrForeignSession || target == ErrForbidden
}

// Credentials runs the decision flow for caller, proven by the door, in
// server mode. A session ID that is unknown, revoked, ended or someone
// else's is refused (a *RevokedError or an error matching
// ErrForeignSession); none starts a new session.
func (s *Service) Credentials(ctx context.Context, caller vault.Identity, in ServiceInput) (*Grant, error) {
	b := s.Broker
	if !b.Catalogue || b.BaseCredentials == nil {
		return nil, errors.New("service broker: Catalogue and BaseCredentials must be set")
	}
	if in.SessionID != "" && !session.ValidID(in.SessionID) {
		return nil, s.refuse(caller, in, "invalid session ID", &RevokedError{SessionID: quoteID(in.SessionID)})
	}
	if _, err := b.CataloguePin(in.Profile); err != nil {
		return nil, s.refuse(caller, in, err.Error(), err)
	}
	srv, err := s.session(caller, in)
	if err != nil {
		return nil, s.refuse(caller, in, err.Error(), err)
	}
	id := caller
	g, err := b.Issue(ctx, Input{Profile: in.Profile, Mode: policy.ModeServer, Duration: in.Duration, Server: srv, Caller: &id})
	if err != nil {
		if in.SessionID != "" && errors.Is(err, ErrRevoked) {
			s.forget(in.SessionID)
		}
		return nil, err
	}
	s.remember(g.SessionID, srv, caller, in.Profile)
	return g, nil
}

// refuse logs a decision the flow never reached (an unknown profile, a
// foreign session), so that every credentials call is one log entry.
func (s *Service) refuse(caller vault.Identity, in ServiceInput, reason string, cause error) error {
	b := s.Broker
	requestID, err := NewRequestID(b.Rand)
	if err != nil {
		return errors.Join(cause, err)
	}
	e := decisionEntry(b.now(), requestID, caller, Input{Profile: in.Profile, Mode: policy.ModeServer}, policy.Decision{RuleIndex: -1}, b.Policy)
	e.SessionID = ""
	if session.ValidID(in.SessionID) {
		e.SessionID = in.SessionID
	}
	return b.deny(&e, reason, cause)
}

// session returns the ServerSession for a request: a new one without a
// session ID, the warm one when it is kept and belongs to the caller and
// profile, else one that resumes the stored session (the flow checks that
// it is the caller's and active).
func (s *Service) session(caller vault.Identity, in ServiceInput) (*ServerSession, error) {
	d := in.Duration
	if in.SessionID == "" {
		return &ServerSession{Host: s.ServerID, Duration: d}, nil
	}
	s.mu.Lock()
	e, ok := s.warm[in.SessionID]
	s.mu.Unlock()
	if ok {
		if !person.Same(e.ownerARN, caller.ARN) || e.profile != in.Profile {
			return nil, &foreignSessionError{id: in.SessionID}
		}
		return e.s, nil
	}
	return &ServerSession{Host: s.ServerID, Duration: d, id: in.SessionID}, nil
}

// remember keeps srv warm under id, evicting the oldest entry when full.
func (s *Service) remember(id string, srv *ServerSession, caller vault.Identity, profile string) {
	if id == "" {
		return
	}
	max := s.MaxSessions
	if max <= 0 {
		max = DefaultMaxServiceSessions
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.warm == nil {
		s.warm = map[string]*serviceSession{}
	}
	if _, ok := s.warm[id]; ok {
		s.warm[id] = &serviceSession{s: srv, ownerARN: caller.ARN, profile: profile}
		return
	}
	for len(s.warm) >= max && len(s.order) > 0 {
		delete(s.warm, s.order[0])
		s.order = s.order[1:]
	}
	s.warm[id] = &serviceSession{s: srv, ownerARN: caller.ARN, profile: profile}
	s.order = append(s.order, id)
	if len(s.order) > 2*max {
		// Drop IDs forgotten since, so the slice does not grow forever.
		kept := s.order[:0]
		for _, k := range s.order {
			if _, ok := s.warm[k]; ok {
				kept = append(kept, k)
			}
		}
		s.order = kept
	}
}

// forget drops a session that may no longer be used.
func (s *Service) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.warm, id)
}

// WarmSessions is how many sessions are kept warm now.
func (s *Service) WarmSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.warm)
}

// LogRefusal logs, as one decision entry with effect deny, a call the
// door refused before the flow saw it (a missing or invalid proof, a
// malformed request). caller is the zero Identity when the proof failed.
func (b *Broker) LogRefusal(caller vault.Identity, profile, reason string) error {
	requestID, err := NewRequestID(b.Rand)
	if err != nil {
		return err
	}
	e := logging.Entry{
		Time: b.now(), Event: logging.EventDecision, RequestID: requestID,
		User: caller.Name, PrincipalARN: caller.ARN, Account: caller.Account, Profile: profile,
		Mode: string(policy.ModeServer), Effect: "deny", Reason: reason,
		PolicySHA256: b.Policy.SHA256, PolicyPath: b.Policy.Path,
	}
	return b.Log.Append(&e)
}
