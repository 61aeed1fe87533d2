// Package tailbuf keeps the last bytes a child process wrote, for the test
// harnesses that run DynamoDB Local and the Lambda emulator: enough to say
// why a start failed, bounded however much the child writes.
package tailbuf

import "sync"

// Buffer keeps the last Max bytes written to it. It is safe for the exec
// package to write from its own goroutines while a test reads it.
type Buffer struct {
	Max int

	mu  sync.Mutex
	buf []byte
}

// Write appends p, dropping the oldest bytes beyond Max.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.Max {
		b.buf = append([]byte(nil), b.buf[len(b.buf)-b.Max:]...)
	}
	return len(p), nil
}

// String returns what is kept.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
