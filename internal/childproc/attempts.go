package childproc

import "context"

// Attempts calls start up to n times and returns its first success, or
// its last error. A child is started on ports picked free beforehand, and
// someone else can take one before the child binds it: a fresh attempt
// picks fresh ports. It stops early once ctx is done.
func Attempts[T any](ctx context.Context, n int, start func() (T, error)) (T, error) {
	var zero T
	var lastErr error
	for range n {
		v, err := start()
		if err == nil {
			return v, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return zero, lastErr
}
