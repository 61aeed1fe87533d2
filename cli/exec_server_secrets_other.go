//go:build !unix

package cli

// shedServerSecrets does nothing on Windows: a process cannot replace its
// own image there, so the environment it was started with stays readable
// to processes of the same user (ReadProcessMemory), and nothing stops
// them from reading its memory. Use the Windows credential manager backend
// (wincred), which needs no passphrase in the environment.
func shedServerSecrets() error { return nil }
