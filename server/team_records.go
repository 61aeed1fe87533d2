package server

import (
	"context"
	"net/http"

	"github.com/sentinel-cli/sentinel/broker"
)

// The one shape of the routes that read or change one record of any kind
// (requests, break-glass events, sessions) and of their listings: the ID
// is checked before the broker is asked, a record is answered as the
// broker returns it, and a listing is an object holding an array, never
// null.

// answerRecord writes rec, or returns err for the classified answer.
func answerRecord[T any](c *call, rec *T, err error) error {
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, rec)
	return nil
}

// recordByID answers a bodiless GET /v1/{kind}/{id}.
func recordByID[T any](c *call, valid func(string) bool, get func(context.Context, *broker.Actor, string) (*T, error)) error {
	if err := noBody(c.body); err != nil {
		return err
	}
	if !valid(c.id) {
		return errUnknownID
	}
	rec, err := get(c.r.Context(), broker.NewActor(c.caller), c.id)
	return answerRecord(c, rec, err)
}

type reasonInput struct {
	Reason string `json:"reason"`
}

// recordWithReason answers POST /v1/{kind}/{id}/{action} {"reason"}.
func recordWithReason[T any](c *call, valid func(string) bool, act func(context.Context, *broker.Actor, string, string) (*T, error)) error {
	var in reasonInput
	if err := decodeBody(c.body, &in, true); err != nil {
		return err
	}
	if !valid(c.id) {
		return errUnknownID
	}
	rec, err := act(c.r.Context(), broker.NewActor(c.caller), c.id, in.Reason)
	return answerRecord(c, rec, err)
}

// recordList answers a listing as {"<key>": [...]}.
func recordList[T any](c *call, key string, recs []*T, err error) error {
	if err != nil {
		return err
	}
	if recs == nil {
		recs = []*T{}
	}
	writeJSON(c.w, http.StatusOK, map[string]any{key: recs})
	return nil
}
