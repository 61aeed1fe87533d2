package broker

import (
	"slices"
	"time"
)

// lapsing describes, for requests and break-glass events alike, how a
// listing finds records whose time ran out. Such a record is stored in its
// lapsing status (pending, active) until someone records its expiry, so
// every reader must treat it as expired from the moment its time is up.
type lapsing[T any, S comparable] struct {
	// want is the status asked for; the zero value lists every status.
	want S
	// expired and lapsing are the stored statuses before and after expiry.
	expired, lapsing S
	// list runs the store query with the given status (zero: any).
	list func(S) ([]*T, error)
	// stored is the record's status as stored; effective, as of now.
	stored    func(*T) S
	effective func(*T, time.Time) S
	// created orders the result, newest first.
	created func(*T) time.Time
	// expire records a lapsed record's expiry (a conditional write) and
	// logs it. It changes the record in memory whether or not the write
	// goes through.
	expire func(*T, time.Time) error
}

// listLapsing is the one listing of requests and break-glass events: it
// returns the records l.want selects, newest first, each with its status
// as of now. Asking for expired records reads both the recorded and the
// lapsed ones. Each lapsed record found has its expiry recorded on the
// way; that write is a courtesy to later readers (whoever's write wins
// logs the expiry), so its failure (someone else recorded it first, or the
// caller may not write the item) changes nothing in the answer.
func listLapsing[T any, S comparable](b *Broker, l lapsing[T, S]) ([]*T, error) {
	now := b.now()
	var zero S
	var recs []*T
	if l.want == l.expired {
		for _, s := range []S{l.lapsing, l.expired} {
			got, err := l.list(s)
			if err != nil {
				return nil, err
			}
			recs = append(recs, got...)
		}
		slices.SortStableFunc(recs, func(x, y *T) int { return l.created(y).Compare(l.created(x)) })
	} else {
		got, err := l.list(l.want)
		if err != nil {
			return nil, err
		}
		recs = got
	}
	out := recs[:0]
	for _, r := range recs {
		if l.effective(r, now) == l.expired && l.stored(r) == l.lapsing {
			if err := l.expire(r, now); err != nil {
				b.debugf("recording an expiry: %v", err)
			}
		}
		if l.want == zero || l.effective(r, now) == l.want {
			out = append(out, r)
		}
	}
	return out, nil
}
