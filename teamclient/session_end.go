package teamclient

import (
	"context"
	"net/http"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/session"
)

// EndSession marks the caller's session expired when the command it
// served has exited (POST /v1/sessions/{id}/end).
func (c *Client) EndSession(ctx context.Context, id string) (*session.Session, error) {
	return getRecord(ctx, c, http.MethodPost, "sessions", id, "end", struct{}{}, kindSession, session.Kind.ID)
}

// EndServerSession ends the server-mode session this client has been
// refreshing (exec --server, when the command exits), so that it is
// marked expired at once rather than lapsing with its last credentials.
// Without a session it does nothing. s is unused: the service keeps the
// session, the client only its ID.
func (c *Client) EndServerSession(ctx context.Context, _ *broker.ServerSession) error {
	c.mu.Lock()
	id := c.sesID
	c.mu.Unlock()
	if id == "" {
		return nil
	}
	_, err := c.EndSession(ctx, id)
	c.mu.Lock()
	if c.sesID == id {
		c.sesID = ""
	}
	c.mu.Unlock()
	return err
}
