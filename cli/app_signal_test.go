//go:build unix

package cli

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"
)

// TestActionCancelsOnSignal: every command runs under g.action, whose
// context a SIGTERM cancels; the command then ends as interrupted (exit
// 130) instead of being killed where it stands.
func TestActionCancelsOnSignal(t *testing.T) {
	g := &Globals{}
	started := make(chan struct{})
	act := g.action(func(ctx context.Context, _ *Globals) error {
		close(started)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Second):
			return errors.New("the context was not cancelled")
		}
	})
	errc := make(chan error, 1)
	go func() { errc <- act(nil) }()
	<-started
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := <-errc
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != exitInterrupted || !errors.Is(err, errInterrupted) {
		t.Fatalf("got %v, want an interrupted ExitError with code %d", err, exitInterrupted)
	}
}

// TestActionPassesErrorsThrough: a command's own error, and a
// cancellation that no signal caused, are returned as they are.
func TestActionPassesErrorsThrough(t *testing.T) {
	g := &Globals{}
	own := errors.New("own")
	if err := g.action(func(context.Context, *Globals) error { return own })(nil); err != own {
		t.Errorf("got %v, want the command's own error", err)
	}
	if err := g.action(func(context.Context, *Globals) error { return context.Canceled })(nil); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled unchanged", err)
	}
}
