// Package buildtags holds the one set of build tags every sentinel build
// uses: make build, the tests, CI, releases, the Lambda bootstrap and the
// README's go install line. The Makefile reads tags.txt; Go code that builds
// sentinel (tests, the release tooling, the Lambda builder) reads it here, so
// that the two cannot drift.
package buildtags
