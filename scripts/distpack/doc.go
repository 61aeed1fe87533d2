// Command distpack is the deterministic archiver and checksum writer
// behind make dist (see main.go for its usage).
package main
