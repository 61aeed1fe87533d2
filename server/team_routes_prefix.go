package server

import (
	"context"
	"errors"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/vault"
)

// idPrefixQuery reads ?id_prefix=: absent, or request.IndexedPrefixLen to
// 15 lowercase hex digits, with no other filter.
func idPrefixQuery(q map[string]string) (string, bool, error) {
	prefix, ok := q["id_prefix"]
	if !ok {
		return "", false, nil
	}
	valid := len(prefix) >= request.IndexedPrefixLen && len(prefix) < 16
	for i := 0; valid && i < len(prefix); i++ {
		c := prefix[i]
		valid = c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
	}
	if !valid {
		return "", false, badRequest("id_prefix must be 6 to 15 lowercase hex digits")
	}
	if q["status"] != "" || q["profile"] != "" || q["requester"] != "" || q["reviewable"] != "" {
		return "", false, badRequest("id_prefix takes no other filter")
	}
	return prefix, true, nil
}

// requestsWithPrefix lists the requests an ID prefix names for the caller,
// by the broker's rule (their own and the pending ones, then everyone's
// through the store's ID-prefix index): none, the one, or every candidate
// of an ambiguous prefix.
func (h *teamHandler) requestsWithPrefix(ctx context.Context, caller vault.Identity, prefix string) ([]*request.Request, error) {
	a := broker.NewActor(caller)
	id, err := h.b.ResolveRequestID(ctx, a, prefix)
	ids := []string{id}
	var ambiguous *broker.AmbiguousIDError
	var notFound *record.NotFoundError
	switch {
	case errors.As(err, &ambiguous):
		ids = ambiguous.Candidates
	case errors.As(err, &notFound):
		return []*request.Request{}, nil
	case err != nil:
		return nil, err
	}
	out := make([]*request.Request, 0, len(ids))
	for _, id := range ids {
		r, err := h.b.GetRequest(ctx, a, id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
