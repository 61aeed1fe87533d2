package broker

import (
	"context"

	"github.com/sentinel-cli/sentinel/record"
)

// listRecords is the one listing of requests, break-glass events and
// sessions: the records that match q, newest first, each by the status a
// reader should act on as of q.At (record.Generic.List applies the
// lapses, so a record whose time ran out reads as expired without anything
// being written: reading needs no write access to the store). With every
// set and q naming no key, it lists once per status in every and merges
// the results: a person's "mine" listing when no index holds their
// records under one key.
func listRecords[T any, S ~string](ctx context.Context, st record.Reader[T, S], k *record.Kind[T, S], q record.Query[S], every []S) ([]*T, error) {
	var zero S
	if every == nil || q.Status != zero {
		return st.List(ctx, q)
	}
	return listEveryStatus(every, func(s S) ([]*T, error) {
		q := q
		q.Status = s
		return st.List(ctx, q)
	}, k.Created)
}
