package childproc

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// From this package's directory the root is two levels up, where go.mod
// is.
func TestRepoRoot(t *testing.T) {
	got, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	want, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("RepoRoot = %q, want %q", got, want)
	}
}

// Stop ends a child that obeys SIGTERM at once, and kills one that
// ignores it after the grace period.
func TestStop(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs sh")
	}
	tests := []struct {
		name    string
		script  string
		atLeast time.Duration
	}{
		{"obeys SIGTERM", "exec sleep 60", 0},
		{"ignores SIGTERM", "trap '' TERM; echo ready; while :; do sleep 1; done", 300 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command("sh", "-c", tt.script)
			Configure(cmd)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if tt.atLeast > 0 {
				// Wait until the trap is set.
				if _, err := out.Read(make([]byte, 6)); err != nil {
					t.Fatal(err)
				}
			}
			exited := make(chan struct{})
			go func() {
				_ = cmd.Wait()
				close(exited)
			}()
			start := time.Now()
			Stop(cmd, exited, 300*time.Millisecond)
			if took := time.Since(start); took < tt.atLeast || took > 10*time.Second {
				t.Errorf("Stop took %s, want at least %s", took, tt.atLeast)
			}
			select {
			case <-exited:
			default:
				t.Fatal("child still running after Stop")
			}
		})
	}
}

func TestAttempts(t *testing.T) {
	fail := errors.New("port taken")
	tests := []struct {
		name      string
		failures  int
		cancelled bool
		wantCalls int
		wantErr   error
	}{
		{"first succeeds", 0, false, 1, nil},
		{"third succeeds", 2, false, 3, nil},
		{"all fail", 5, false, 3, fail},
		{"context done stops early", 5, true, 1, fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelled {
				cancel()
			}
			calls := 0
			got, err := Attempts(ctx, 3, func() (int, error) {
				calls++
				if calls <= tt.failures {
					return 0, fail
				}
				return 7, nil
			})
			if calls != tt.wantCalls || !errors.Is(err, tt.wantErr) || (err == nil) != (got == 7) {
				t.Errorf("Attempts: %d calls, %d, %v; want %d calls, error %v", calls, got, err, tt.wantCalls, tt.wantErr)
			}
		})
	}
}
