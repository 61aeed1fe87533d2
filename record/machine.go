package record

import "fmt"

// Machine is a kind's status machine, as data: which statuses a record may
// move to from each status, and which statuses lapse on their own when
// the record's time runs out. A status with no moves is final.
type Machine[S ~string] struct {
	// Moves lists, for each status, the statuses a change may move it to.
	// Every status of the kind appears as a key, final ones with none.
	Moves map[S][]S
	// Lapses maps a status to the one it becomes when the record's time
	// runs out (pending to expired, active to expired). A reader treats a
	// lapsed record as having that status before anyone stores the move.
	Lapses map[S]S
}

// Known reports whether s is one of the kind's statuses.
func (m Machine[S]) Known(s S) bool {
	_, ok := m.Moves[s]
	return ok
}

// Final reports whether nothing can move a record out of s.
func (m Machine[S]) Final(s S) bool { return len(m.Moves[s]) == 0 }

// Allows reports whether a record may move from one status to another.
// Staying in the same status is always allowed: a change may edit the
// fields of a record without moving it (a touch, a review that does not
// yet decide).
func (m Machine[S]) Allows(from, to S) bool {
	if from == to {
		return m.Known(from)
	}
	for _, s := range m.Moves[from] {
		if s == to {
			return true
		}
	}
	return false
}

// CanMove reports whether to is one of the moves out of from: Allows
// without the staying in place, which is what a transition method asks.
func (m Machine[S]) CanMove(from, to S) bool {
	return from != to && m.Allows(from, to)
}

// Check returns an ErrTransition error unless Allows(from, to).
func (m Machine[S]) Check(kind, id string, from, to S) error {
	if m.Allows(from, to) {
		return nil
	}
	return fmt.Errorf("%w: %s %s cannot go from %s to %s", ErrTransition, kind, id, from, to)
}

// Statuses returns every status of the machine that a stored record may
// be listed under, in no particular order.
func (m Machine[S]) Statuses() []S {
	out := make([]S, 0, len(m.Moves))
	for s := range m.Moves {
		out = append(out, s)
	}
	return out
}
