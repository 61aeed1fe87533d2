// Package policygen writes large, deterministic policy files: N rules and
// N pinned profiles, shaped like a team's policy (exact profile names for
// most rules, a few globs, deny and require_approval rules between the
// allows, time windows, bare names and ARNs). The policy package's
// benchmarks and scale tests, scripts/gen-policy and `make bench` use it,
// so that every figure about "a 10,000-rule policy" is about the same file.
package policygen
