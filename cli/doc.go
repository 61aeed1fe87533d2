// Package cli holds sentinel's commands: one file per command with its
// flags, its output and its exit codes. Commands are thin: the decisions are
// made in broker/, policy/ and the domain packages.
package cli
