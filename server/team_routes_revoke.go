package server

import (
	"net/http"
	"time"

	"github.com/sentinel-cli/sentinel/awsrevoke"
	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/revocation"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/teamapi"
)

// routeSyncAWS is POST /v1/admin/sync-aws: write every role's
// SentinelRevocations policy again from the store (approvers only).
var routeSyncAWS = &teamRoute{method: http.MethodPost, serve: (*teamHandler).syncAWS}

// adminRoute routes /v1/admin/{action}.
func adminRoute(action string, c *call) (*teamRoute, *call, bool) {
	if action == "sync-aws" {
		return routeSyncAWS, c, true
	}
	return nil, nil, false
}

// SyncAWSResults turns the writer's results into the answer's.
func SyncAWSResults(rs []awsrevoke.Result) []teamapi.SyncAWSResult {
	out := []teamapi.SyncAWSResult{}
	for _, r := range rs {
		x := teamapi.SyncAWSResult{Role: r.Role, PolicySHA256: r.SHA256, Deleted: r.Deleted, NoRole: r.NoRole, Fallback: r.Fallback}
		if !r.IssuedBefore.IsZero() {
			t := r.IssuedBefore.UTC()
			x.IssuedBefore = &t
		}
		if r.Err != nil {
			x.Error = clean(r.Err.Error())
		}
		out = append(out, x)
	}
	return out
}

func (h *teamHandler) syncAWS(c *call) error {
	if err := decodeBody(c.body, &struct{}{}, false); err != nil {
		return err
	}
	rs, err := h.b.SyncAWS(c.r.Context(), broker.NewActor(c.caller))
	if rs == nil && err != nil {
		return err
	}
	if err != nil {
		// Some roles failed: the answer says which, with the error code.
		return err
	}
	writeJSON(c.w, http.StatusOK, teamapi.SyncAWSDocument{Roles: SyncAWSResults(rs)})
	return nil
}

// AWSDenyViews turns revocation entries into their views, with each
// entry's status at now.
func AWSDenyViews(es []*revocation.Entry, now time.Time) []teamapi.AWSDenyView {
	var out []teamapi.AWSDenyView
	for _, e := range es {
		st := string(revocation.Kind.Effective(e, now))
		out = append(out, teamapi.AWSDenyView{Since: e.CreatedAt.UTC(), Roles: e.Roles, Until: e.ExpiresAt.UTC(), Status: st})
	}
	return out
}

// sessionDocument answers GET /v1/sessions/{id}: the session, and the AWS
// denies that name it (none without revocation in AWS).
type sessionDocument struct {
	*session.Session
	AWSDeny []teamapi.AWSDenyView `json:"aws_deny,omitempty"`
}

func (h *teamHandler) showSessionWithDeny(c *call) error {
	if err := noBody(c.body); err != nil {
		return err
	}
	if !session.ValidID(c.id) {
		return errUnknownID
	}
	a := broker.NewActor(c.caller)
	s, err := h.b.GetSession(c.r.Context(), a, c.id)
	if err != nil {
		return err
	}
	denies, err := h.b.AWSDenies(c.r.Context(), a, c.id)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, sessionDocument{Session: s, AWSDeny: AWSDenyViews(denies, time.Now())})
	return nil
}
