package cli

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// refusalInterval is how long the credential server stays quiet about a
// refusal it has already reported. An SDK retries a refused fetch, often
// several times a second, and every refusal would otherwise be a line in
// the middle of the command's own output.
const refusalInterval = time.Minute

// refusalReporter tells the person why the credential server refused the
// command's requests: each distinct reason once, then at most once per
// refusalInterval with the number of refusals since it last said so. The
// command's SDK sees only a generic message.
type refusalReporter struct {
	w   io.Writer
	now func() time.Time

	mu      sync.Mutex
	reasons map[string]*refusalCount
	order   []string // reasons in the order first seen, for flush
}

// refusalCount is what has happened to one reason since it was last
// reported.
type refusalCount struct {
	status   int
	message  string
	reported time.Time // when the last line about it was written
	pending  int       // refusals since then, not yet reported
}

func newRefusalReporter(w io.Writer, now func() time.Time) *refusalReporter {
	return &refusalReporter{w: w, now: now, reasons: map[string]*refusalCount{}}
}

// refused records one refusal, and reports it when its reason is new or
// was last reported refusalInterval ago or more.
func (r *refusalReporter) refused(status int, err error) {
	msg := oneLine(err.Error())
	key := fmt.Sprintf("%d %s", status, msg)
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	c, seen := r.reasons[key]
	if !seen {
		c = &refusalCount{status: status, message: msg}
		r.reasons[key] = c
		r.order = append(r.order, key)
	}
	c.pending++
	if seen && now.Sub(c.reported) < refusalInterval {
		return
	}
	r.report(c, now)
}

// flush reports the refusals not yet reported, so that the count is
// complete when the command has exited.
func (r *refusalReporter) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	for _, key := range r.order {
		if c := r.reasons[key]; c.pending > 0 {
			r.report(c, now)
		}
	}
}

// report writes one line about c and starts its next interval. The caller
// holds r.mu.
func (r *refusalReporter) report(c *refusalCount, now time.Time) {
	if c.pending == 1 {
		fmt.Fprintf(r.w, "sentinel: credential server refused a request (%d): %s\n", c.status, c.message)
	} else {
		fmt.Fprintf(r.w, "sentinel: credential server refused %d requests since %s (%d): %s\n", c.pending, c.reported.Format("15:04:05"), c.status, c.message)
	}
	c.reported, c.pending = now, 0
}
