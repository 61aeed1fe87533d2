package teamclient

import (
	"context"
	"fmt"
	"net/http"

	"github.com/sentinel-cli/sentinel/request"
)

// ListReviewable lists the pending requests the caller may approve
// (GET /v1/requests?reviewable=true).
func (c *Client) ListReviewable(ctx context.Context) ([]*request.Request, error) {
	var l requestList
	if err := c.call(ctx, http.MethodGet, "/v1/requests", query("reviewable", "true"), nil, &l, kindRequest, true); err != nil {
		return nil, err
	}
	for _, r := range l.Requests {
		if r == nil || r.Status != request.StatusPending {
			return nil, fmt.Errorf("%w: GET /v1/requests?reviewable=true: a record that is not pending", ErrBadAnswer)
		}
	}
	return l.Requests, nil
}
