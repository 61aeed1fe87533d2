package teamclient

import (
	"context"
	"net/http"

	"github.com/sentinel-cli/sentinel/server"
)

// SyncAWS asks the service to write every role's SentinelRevocations
// policy again from its store (POST /v1/admin/sync-aws; approvers only).
func (c *Client) SyncAWS(ctx context.Context) ([]server.SyncAWSResult, error) {
	var out server.SyncAWSDocument
	if err := c.call(ctx, http.MethodPost, "/v1/admin/sync-aws", nil, struct{}{}, &out, kindNone, true); err != nil {
		return nil, err
	}
	return out.Roles, nil
}
