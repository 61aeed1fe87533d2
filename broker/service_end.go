package broker

import (
	"context"
	"fmt"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/vault"
)

// EndSession marks the caller's session id expired when the command it
// served has exited (`exec --server` in team mode), forgets its warm
// credentials and logs it, as EndServerSession does on a laptop. Only the
// session's own user may end it (a *record.ForbiddenError otherwise); a session
// that is no longer active gives an error matching session.ErrTransition
// and stays as it is (a revoked session stays revoked).
func (s *Service) EndSession(ctx context.Context, caller vault.Identity, id string) (*session.Session, error) {
	b := s.Broker
	if err := checkSessionID(id); err != nil {
		return nil, err
	}
	a := NewActor(caller)
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return nil, err
	}
	defer stores.Close()
	st := stores.Sessions()
	se, err := st.Get(ctx, id)
	if err != nil {
		return nil, sessionLookupError(id, err)
	}
	if !person.Same(se.UserARN, caller.ARN) {
		return nil, forbidden(caller, "end session "+id, "the session's own user")
	}
	now := b.now()
	se, err = st.Change(ctx, id, func(se *session.Session) error { return se.Expire(now) })
	if err != nil {
		return nil, fmt.Errorf("end session %s: %w", id, err)
	}
	s.forget(id)
	e := b.sessionEntry(logging.EventSessionExpired, a, se)
	e.Subject = id
	e.Comment = "ended by its user: the command exited"
	return se, b.appendLifecycle(&e, "end of session "+id)
}
