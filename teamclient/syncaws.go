package teamclient

import (
	"context"
	"net/http"

	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/teamapi"
)

// SyncAWS asks the service to write every role's SentinelRevocations
// policy again from its store (POST /v1/admin/sync-aws; approvers only).
func (c *Client) SyncAWS(ctx context.Context) ([]teamapi.SyncAWSResult, error) {
	var out teamapi.SyncAWSDocument
	if err := c.call(ctx, http.MethodPost, "/v1/admin/sync-aws", nil, struct{}{}, &out, kindNone, true); err != nil {
		return nil, err
	}
	return out.Roles, nil
}

// sessionWithDeny is the answer to GET /v1/sessions/{id}: the session and
// the AWS denies naming it.
type sessionWithDeny struct {
	session.Session
	AWSDeny []teamapi.AWSDenyView `json:"aws_deny,omitempty"`
}

func (c *Client) getSessionWithDeny(ctx context.Context, id string) (*sessionWithDeny, error) {
	return getRecord(ctx, c, http.MethodGet, "sessions", id, "", nil, kindSession, func(w *sessionWithDeny) string { return w.ID })
}

// SessionAWSDenies returns the AWS denies naming session id, as the
// service's revocation list holds them.
func (c *Client) SessionAWSDenies(ctx context.Context, id string) ([]teamapi.AWSDenyView, error) {
	w, err := c.getSessionWithDeny(ctx, id)
	if err != nil {
		return nil, err
	}
	return w.AWSDeny, nil
}
