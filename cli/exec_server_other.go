//go:build !unix

package cli

import "os"

// forwardedSignals are passed on to the command under exec --server.
var forwardedSignals = []os.Signal{os.Interrupt}

// terminalDelivered: the console sends Ctrl-C to every process attached to
// it, but passing it on again does no harm where Signal cannot send it.
func terminalDelivered(os.Signal) bool { return false }

// exitCode is the command's exit code.
func exitCode(ps *os.ProcessState) int { return ps.ExitCode() }
