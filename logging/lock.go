package logging

import "time"

// Backoff between attempts to take a contended lock: short at first, since
// another process holds it only for one write, then longer so that a stuck
// holder does not cost a busy loop.
const (
	lockFirstWait = 200 * time.Microsecond
	lockMaxWait   = 20 * time.Millisecond
)
