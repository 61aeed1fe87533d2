package dynamodb

import (
	"sync"
	"time"
)

// maxTouchHints bounds the hints one Store keeps; past it they are
// forgotten at once, which costs at most one extra write per session.
const maxTouchHints = 4096

// touchHints remembers, per session ID, the latest ExpiresAt this process
// saw stored. DynamoDB cannot set an attribute to the later of two values,
// so a touch is one of two conditional writes: move the expiry (stored
// expiry not after the new one) or leave it (stored expiry not before).
// The hint picks the write that will hold first, so a warm decision is
// one write; a wrong or missing hint costs a second write, never a wrong
// one, since each write's condition checks what it assumes.
type touchHints struct {
	mu sync.Mutex
	m  map[string]time.Time
}

// expiryAtLeast reports whether the stored expiry of session id is known
// to be no earlier than t.
func (h *touchHints) expiryAtLeast(id string, t time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	known, ok := h.m[id]
	return ok && !known.Before(t)
}

// saw records that session id is stored with expiry t.
func (h *touchHints) saw(id string, t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil || len(h.m) >= maxTouchHints {
		h.m = make(map[string]time.Time)
	}
	h.m[id] = t
}
