package teamclient

import (
	"context"
	"errors"
	"net/http"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
)

// ResolveRequestID turns an ID or a prefix of one into the full ID by the
// service's rule (GET /v1/requests?id_prefix=): the caller's own and the
// pending requests, then everyone's through the service's ID-prefix
// index. A service that predates id_prefix refuses the query as a bad
// request; then the caller's own and the pending requests are matched
// here, as before.
func (c *Client) ResolveRequestID(ctx context.Context, prefix string) (string, error) {
	if request.ValidID(prefix) {
		return prefix, nil
	}
	if _, err := broker.MatchRequestID(prefix, nil); !isNotFoundError(err) {
		return "", err // not a prefix at all, said without a call
	}
	var l requestList
	err := c.call(ctx, http.MethodGet, "/v1/requests", query("id_prefix", prefix), nil, &l, kindRequest, true)
	if errors.Is(err, request.ErrInvalid) {
		own, err := c.ListRequests(ctx, request.Query{})
		if err != nil {
			return "", err
		}
		pending, err := c.ListRequests(ctx, request.Query{Status: request.StatusPending})
		if err != nil {
			return "", err
		}
		return broker.MatchRequestID(prefix, append(own, pending...))
	}
	if err != nil {
		return "", err
	}
	return broker.MatchRequestID(prefix, l.Requests)
}

func isNotFoundError(err error) bool {
	var nf *record.NotFoundError
	return errors.As(err, &nf)
}
