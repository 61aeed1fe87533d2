// Package policy loads sentinel's policy file and decides, for one request
// for credentials, whether the request is allowed, denied, needs an
// approval, or must go through server mode.
//
// # The file
//
// A policy is one YAML file with version "1" and three sections:
//
//   - rules: evaluated in order; the first rule whose conditions all hold
//     decides. When no rule matches, the request is denied.
//   - approvals: who may approve requests for which profiles, and when a
//     request is approved without a human.
//   - breakglass: who may break the glass for which profiles, with which
//     reason codes, for how long and how often.
//
// docs/examples/policy.yaml shows every feature.
//
// # Loading
//
// Load and Parse decode strictly: an unknown key, a value of the wrong
// type, an unknown effect, mode or weekday, a bad time, timezone, duration
// or glob, a duplicate name or an empty list is an error. Every error is
// collected (not just the first) into a *LoadError whose issues name the
// file, the line and the field:
//
//	policy.yaml:12: rules[1].conditions.mode: unknown mode "clii" (want cli, credential_process, server)
//
// List indexes in field paths count from zero, like Decision.RuleIndex.
// YAML aliases (and so merge keys) are rejected: a policy is read by people
// reviewing access, and every rule should say what it means where it stands.
//
// A condition that is left out matches anything; a condition given as an
// empty list is an error rather than "matches nothing" or "matches
// anything", because either reading of "profiles: []" surprises someone.
//
// Duration bounds (Go duration strings such as 90m or 1h):
//
//   - rules[].max_duration: 15m to 12h (the range STS accepts); absent = no cap.
//   - approvals[].max_duration: 15m to 24h, default 8h.
//   - approvals[].request_ttl (how long a pending request waits before it
//     expires): 5m to 168h, default 24h.
//   - approvals[].auto_approve.max_duration: 15m up to the approval rule's
//     max_duration, which is also its default.
//   - breakglass[].max_duration: 15m to 24h, default 1h.
//   - breakglass[].cooldown: 0 to 24h, default 0 (none).
//
// Other defaults: approvals[].required is 1 (and at most the number of
// approvers); breakglass[].reason_codes is all five codes (incident,
// maintenance, security, recovery, other); breakglass[].max_per_day is 0,
// meaning no limit.
//
// # Matching
//
// Profiles match by exact name first, then by shell-style glob with
// path.Match semantics ("sandbox-*", "team-?", "[ab]-dev"). Users match
// exactly and case-sensitively: an entry that starts with "arn:" is compared
// with the caller's full ARN, any other entry with the short principal name
// (the IAM user name, or the role session name of an assumed role).
//
// Time windows are evaluated in the window's timezone (UTC unless given).
// Hours are a half-open wall-clock range [start, end). When end is before
// start the window runs overnight, and the part after midnight belongs to
// the day the window started: days [friday] with hours 22:00-06:00 matches
// Saturday 03:00 but not Friday 03:00. Around daylight-saving changes hours
// stay wall-clock times: a time that does not exist that day (02:30 on a
// spring-forward day in Europe/Berlin) never matches, and a time that
// happens twice matches both times.
//
// The timezone database is embedded (time/tzdata), so a policy that loads on
// one machine loads on every machine.
//
// # Evaluating
//
// Load compiles timezones and globs once; Evaluate then does no parsing and
// no allocation, so it can run on every credential request. Explain gives
// the same decision plus, for every earlier rule, why it did not match. A
// *Policy is read-only after Load and safe for concurrent use.
package policy
