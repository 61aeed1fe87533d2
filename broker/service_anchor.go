package broker

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/vault"
)

// TeamAnchors keeps the log heads the team service records for its
// callers, one forward-only record per (caller's person key, log); the
// service passes the person key as ownerARN, which the stores treat as an
// opaque owner. Both store backends implement it (store/local.Store,
// store/dynamodb.Store).
type TeamAnchors interface {
	// PutTeamAnchor records h as ownerARN's head of h.Log unless it is
	// behind the one recorded (logging.ErrAnchorBehind).
	PutTeamAnchor(ctx context.Context, ownerARN string, h logging.Head) error
	// TeamAnchor returns ownerARN's head of log, false if there is none.
	TeamAnchor(ctx context.Context, ownerARN, log string) (logging.Head, bool, error)
}

// ErrNoAnchors means the service was started without an anchor store.
var ErrNoAnchors = errors.New("the service keeps no log anchors")

// ErrInvalidAnchor matches a head that is not well formed: a log name
// that is empty, too long or not printable text, a bad seq or hash.
var ErrInvalidAnchor = errors.New("invalid log anchor")

// MaxAnchorLogName bounds the name of a log in an anchor.
const MaxAnchorLogName = 1024

// Lifecycle events of anchoring in the service's log.
const (
	EventLogAnchored       = "log.anchored"
	EventLogAnchorRefused  = "log.anchor_refused"
	anchorStatusRecorded   = "recorded"
	anchorStatusRefused    = "behind"
	anchorStatusLimit      = "limit"
	anchorLogCommentFormat = "seq %d head %s"
)

// CheckAnchorHead checks a head sent by a caller before it reaches a
// store.
func CheckAnchorHead(h logging.Head) error {
	if err := CheckAnchorLog(h.Log); err != nil {
		return err
	}
	if len(h.File) > MaxAnchorLogName || !printable(h.File) {
		return fmt.Errorf("%w: file is not a printable name", ErrInvalidAnchor)
	}
	if err := logging.ValidHead(h, false); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidAnchor, err)
	}
	return nil
}

// CheckAnchorLog checks the name of a log.
func CheckAnchorLog(log string) error {
	if log == "" || len(log) > MaxAnchorLogName || !printable(log) {
		return fmt.Errorf("%w: log must be 1-%d printable characters", ErrInvalidAnchor, MaxAnchorLogName)
	}
	return nil
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// RecordAnchor records h as the caller's head of h.Log, forward only, and
// logs the call in the service's log whether it was recorded or refused
// as behind: a caller trying to move their anchor back is evidence.
func (s *Service) RecordAnchor(ctx context.Context, caller vault.Identity, h logging.Head) error {
	if err := CheckAnchorHead(h); err != nil {
		return err
	}
	if s.Anchors == nil {
		return ErrNoAnchors
	}
	h.Time = h.Time.UTC()
	err := s.Anchors.PutTeamAnchor(ctx, anchorOwner(caller), h)
	switch {
	case err == nil:
		return s.logAnchor(EventLogAnchored, anchorStatusRecorded, caller, h)
	case errors.Is(err, logging.ErrAnchorBehind):
		return errors.Join(err, s.logAnchor(EventLogAnchorRefused, anchorStatusRefused, caller, h))
	case errors.Is(err, logging.ErrAnchorLimit):
		return errors.Join(err, s.logAnchor(EventLogAnchorRefused, anchorStatusLimit, caller, h))
	default:
		return unavailable("anchor", err)
	}
}

// LastAnchor returns the caller's head of log.
func (s *Service) LastAnchor(ctx context.Context, caller vault.Identity, log string) (logging.Head, bool, error) {
	if err := CheckAnchorLog(log); err != nil {
		return logging.Head{}, false, err
	}
	if s.Anchors == nil {
		return logging.Head{}, false, ErrNoAnchors
	}
	h, ok, err := s.Anchors.TeamAnchor(ctx, anchorOwner(caller), log)
	if err != nil {
		return logging.Head{}, false, unavailable("anchor", err)
	}
	return h, ok, nil
}

// anchorOwner is whom a team anchor belongs to: the caller's person key,
// so that a role's sessions share their anchors whatever their names, and
// a role session named alice never sees or moves alice's. For an IAM user
// it is the lower-case user ARN, the key anchors had before person keys.
func anchorOwner(caller vault.Identity) string {
	return person.KeyOf(caller.ARN)
}

func (s *Service) logAnchor(event, status string, caller vault.Identity, h logging.Head) error {
	b := s.Broker
	e := logging.Entry{
		Event: event, Actor: caller.Name, ActorARN: caller.ARN, Account: caller.Account,
		Subject: h.Log, Status: status, Comment: fmt.Sprintf(anchorLogCommentFormat, h.Seq, h.Hash),
	}
	if b.Policy != nil {
		e.PolicyPath, e.PolicySHA256 = b.Policy.Path, b.Policy.SHA256
	}
	return b.appendLifecycle(&e, "anchor of "+h.Log)
}
