package broker

import (
	"context"
	"sync"
	"time"
)

// Fallback says that a role's revocation list did not fit its inline
// policy budget, so every session of the role issued before IssuedBefore
// is denied in AWS, innocent ones included.
type Fallback struct {
	Role         string
	IssuedBefore time.Time
}

// Fallbacks collects the fallbacks of one call, for a caller that is not
// the process whose Warnf hears them: the team service hands them to the
// client that made the call.
type Fallbacks struct {
	mu   sync.Mutex
	list []Fallback
}

type fallbacksKey struct{}

// WithFallbacks returns ctx carrying a new collector, and the collector.
func WithFallbacks(ctx context.Context) (context.Context, *Fallbacks) {
	f := &Fallbacks{}
	return context.WithValue(ctx, fallbacksKey{}, f), f
}

// List returns what was collected so far.
func (f *Fallbacks) List() []Fallback {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Fallback(nil), f.list...)
}

// Add collects fb.
func (f *Fallbacks) Add(fb Fallback) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.list = append(f.list, fb)
}

// noteFallback adds fb to ctx's collector, if it carries one.
func noteFallback(ctx context.Context, fb Fallback) {
	if f, ok := ctx.Value(fallbacksKey{}).(*Fallbacks); ok {
		f.Add(fb)
	}
}
