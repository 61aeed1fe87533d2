package broker

import (
	"slices"
	"time"
)

// listing describes, for requests and break-glass events alike, how to
// list records by the status a reader should act on. A record whose time
// ran out stays stored in its lapsing status (pending, active) until a
// change to it records the expiry (see expireIfLapsed and
// expireEventIfLapsed), so a listing cannot trust the stored status. It
// writes nothing: reading needs no write access to the store.
type listing[T any, S comparable] struct {
	// want is the status asked for; the zero value lists every status.
	want S
	// expired and lapsing are the stored statuses after and before expiry.
	expired, lapsing S
	// list runs the store query with the given status (zero: any).
	list func(S) ([]*T, error)
	// effective is the record's status as of now.
	effective func(*T, time.Time) S
	// created orders the result, newest first.
	created func(*T) time.Time
}

// listEffective is the one listing of requests and break-glass events: it
// returns the records whose status as of now is l.want (every record when
// l.want is zero), newest first. Asking for expired records reads both the
// recorded and the lapsed ones; asking for the lapsing status leaves the
// lapsed ones out.
func listEffective[T any, S comparable](b *Broker, l listing[T, S]) ([]*T, error) {
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
		if l.want == zero || l.effective(r, now) == l.want {
			out = append(out, r)
		}
	}
	return out, nil
}
