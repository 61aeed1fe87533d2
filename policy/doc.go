// Package policy loads sentinel's policy file and decides, for one request
// for credentials, whether the request is allowed, denied, needs an
// approval, or must go through server mode.
//
// # The file
//
// A policy is one YAML file with version "1" and these sections:
//
//   - accounts: the 12-digit account IDs in which bare names identify
//     people (see Identity below). Required when any bare name is used.
//   - profiles: binds each profile name to what it may assume (see
//     Profiles below). Optional, but without it names are not bound to
//     roles, and Warnings says so.
//   - rules: evaluated in order; the first rule whose conditions all hold
//     decides. When no rule matches, the request is denied.
//   - approvals: who may approve requests for which profiles, and when a
//     request is approved without a human.
//   - breakglass: who may break the glass for which profiles, with which
//     reason codes, for how long and how often.
//   - tests: cases of what the rules should decide (see Tests below).
//     Evaluation ignores them.
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
// # Limits
//
// A policy file over 16 MiB (MaxFileSize) or with any key or value over
// 4 KiB (MaxStringSize) is refused. So is any string holding invalid
// UTF-8, a control character (tab and newline included: every policy
// string is a single line), a bidirectional formatting character or a
// zero-width character: policy strings reach terminals and decision logs,
// where such characters could disguise what a rule or a log line says.
// The issue names the line and the field but never repeats the string.
//
// # Identity
//
// Entries of rules' users:, approvals' approvers: and auto_approve users:,
// and break-glass users: are of two kinds:
//
//   - An entry starting with "arn:" is a full ARN or an ARN glob and
//     matches the caller's ARN wherever it is.
//   - Any other entry is a bare name. It matches only a principal whose
//     name nobody else can choose, in one of the accounts: listed: an IAM
//     user (arn:aws:iam::ACCOUNT:user/[PATH/]NAME) or an IAM Identity
//     Center session (arn:aws:sts::ACCOUNT:assumed-role/AWSReservedSSO_*/NAME).
//     Any other assumed role or federated user is matched by ARN only,
//     because whoever can assume a role picks its session name. A bare
//     name is compared with the name in the caller's ARN, never with a
//     separately supplied user name. A policy that uses bare names without
//     accounts: does not load.
//
// Policy matching of names and ARNs is case-sensitive. IAM user and role
// names are unique regardless of case, so the checks that compare one
// person with another elsewhere (no self-approval, counting distinct
// approvers, break-glass cooldowns and daily limits) compare names
// case-insensitively: "Alice" cannot approve "alice"'s request.
//
// # Profiles
//
// The profiles: section maps a profile name (exact, no pattern) to a pin:
//
//	profiles:
//	  prod:
//	    role_arn: arn:aws:iam::345678901234:role/admin   # exact
//	    via: [arn:aws:iam::123456789012:role/jump]       # default none
//	    region: eu-west-1                                # optional
//	    max_duration: 1h                                 # 15m to 12h, optional
//	  sandbox:
//	    account: "123456789012"   # no role: a session of the base keys
//
// When the section exists, a profile not in it is refused, and CheckChain
// refuses a chain (the roles the person's config would assume, base to
// target, inherited through source_profile included) whose last role is
// not role_arn, which passes through a role not in via, or which assumes a
// role when the pin has none (or none when it has one). A pin without
// role_arn must give account, which the base credentials' account must
// equal; with role_arn, account defaults to the role's and must agree
// with it. An empty section ("profiles:" and nothing else) refuses every
// profile.
//
// # Matching
//
// Profiles match by exact name first, then by glob. Rules' roles: are ARN
// globs matched against every role the chain assumes. Globs have two
// metacharacters: '*' matches any run of characters, including none and
// including '/', and '?' matches exactly one character (one UTF-8 rune).
// Everything else matches itself, case-sensitively; character classes
// ("[ab]") and backslash escapes are refused at load. These are the
// semantics of ARN patterns in IAM policies.
//
// A roles: condition fails closed: in an allow rule every role of the
// chain must match one of the patterns (so a chain cannot pass through a
// role nobody allowed); in a deny, require_approval or require_server rule
// one matching role is enough (so any role the rule is about brings it
// into force). A profile that assumes no role never matches a rule with
// roles:.
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
// A window caps the credentials it allows: Decision.WindowEnd is when the
// current occurrence of the matched rule's window closes (consecutive
// whole days are one occurrence; a window of all seven whole days never
// closes and has no end), and Policy.NextWindowOpen says when it opens
// again. Both follow the wall clock through daylight-saving changes as
// described above.
//
// The timezone database is embedded (zones.go), and it is the only source
// of zones: ZONEINFO, TZ and the system's zone files are never read. A
// policy that loads on one machine loads, and decides, the same on every
// machine, and whoever sets a sentinel process's environment cannot move a
// window. Decision.UTCOffset is the offset a decision read its window in.
//
// # Tests
//
// The tests: section keeps, beside the rules, what they should decide:
// each case names who asks (a bare IAM user name, taken in the case's
// account or the first of accounts:, or a full ARN), the profile, and
// optionally the roles (default: the profile's pinned role), the mode
// (default cli) and the time (RFC 3339; default: when the tests run); then
// the expected effect and, optionally, the rule expected to decide, or
// default_deny: true for "no rule matches". Keeping the cases in the
// policy file puts a rule change and its expected effect in the same
// review. RunTests evaluates them as the broker would: a chain the
// profiles: section refuses is a deny with no rule. Load checks the cases
// as strictly as the rest, including that an expected rule exists.
//
// # Replay
//
// Replay re-evaluates recorded decisions (from the decision log) under a
// policy and returns those it would decide differently, so that a
// proposed policy can be compared with what happened.
//
// # Evaluating
//
// Load compiles timezones and globs once; Evaluate (window end included)
// then does no parsing and no allocation, so it can run on every
// credential request. Load also indexes the rules by profile: exact
// names, the literal prefix of each glob, and the rules that match any
// profile. Evaluate tries only the rules that could match the request's
// profile, in file order, so it decides exactly as trying every rule
// would, and 10,000 rules cost about what 10 do. Explain gives the same
// decision plus, for every earlier rule, why it did not match. A *Policy
// is read-only after Load and safe for concurrent use.
//
// A command that decides for one profile need not decode all of a large
// policy: Compile records where each entry stands in the file and, per
// profile, which can apply to it; ParseCompiled then decodes just those
// entries, cut from the file's own bytes, into a Policy that answers for
// that profile exactly as the whole would and fails closed for any other.
// The compiled form carries the file's SHA-256 and a hash of its body and
// is refused for other bytes (see compiled.go).
//
// Loading is linear in the file's size. Files in the plain YAML that
// policies are written in (block and one-line flow collections, one-line
// scalars, printable ASCII) are read by a small reader of that subset;
// anything else, and every file with a problem, goes through yaml.v3, so
// the same file is refused with the same messages either way.
package policy
