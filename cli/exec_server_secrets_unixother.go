//go:build unix && !linux && !darwin

package cli

// hardenServerProcess has no portable way to forbid the same user's
// debugger on the other Unix systems: the restart without secrets in the
// environment is what holds there.
func hardenServerProcess() error { return nil }
