package logging

import "time"

// Event names the kind of an entry: a credential decision or a lifecycle
// event of an access request or a break-glass session.
const (
	EventDecision          = "decision"
	EventRequestCreated    = "request.created"
	EventRequestApproved   = "request.approved"
	EventRequestDenied     = "request.denied"
	EventRequestCancelled  = "request.cancelled"
	EventRequestExpired    = "request.expired"
	EventRequestRevoked    = "request.revoked"
	EventBreakglassOpened  = "breakglass.opened"
	EventBreakglassClosed  = "breakglass.closed"
	EventBreakglassExpired = "breakglass.expired"
	EventSessionStarted    = "session.started"
	EventSessionRevoked    = "session.revoked"
	EventSessionExpired    = "session.expired"
	EventUserBlocked       = "session.user_blocked"
	EventUserUnblocked     = "session.user_unblocked"
	// EventAuthRefused summarises the calls the team service refused
	// before it knew the caller (a missing or invalid proof, a body over
	// the limit, too many proof checks at once): one entry per reason per
	// minute at most, with Reason, Count and Since, so that unauthenticated
	// traffic cannot grow the log one entry per call.
	EventAuthRefused = "auth.refused"
)

// Entry is one line of the decision log, for decisions and lifecycle events
// alike; fields that do not apply to an event are left empty and omitted.
//
// Rule of the house: an Entry has no field for a secret and must never get
// one. No access key secret, session token, password, MFA code or bearer
// token is ever logged, not even redacted; TestEntryHasNoSecretFields fails
// if a field name suggests otherwise.
type Entry struct {
	// Time is when the event happened. Append sets it from Logger.Now when
	// it is zero, and always writes it in UTC (RFC 3339 with nanoseconds).
	Time time.Time `json:"time"`
	// Event is one of the Event constants.
	Event string `json:"event"`
	// Seq is the 1-based position of the entry in the chain; set by Append.
	Seq int64 `json:"seq"`
	// PrevHash is the hash of the previous line (64 zeros for the first);
	// set by Append.
	PrevHash string `json:"prev_hash"`

	// Decision fields.

	// RequestID identifies one credential request across log lines.
	RequestID string `json:"request_id,omitempty"`
	// User is the person asking, as sentinel identified them.
	User string `json:"user,omitempty"`
	// PrincipalARN is the caller's AWS identity.
	PrincipalARN string `json:"principal_arn,omitempty"`
	// Account is the AWS account of the profile.
	Account string `json:"account,omitempty"`
	// Profile is the AWS profile asked for.
	Profile string `json:"profile,omitempty"`
	// Mode is how credentials were asked for: cli, credential_process or server.
	Mode string `json:"mode,omitempty"`
	// Effect is the final outcome: allow or deny.
	Effect string `json:"effect,omitempty"`
	// PolicyEffect is what the matching rule said (allow, deny,
	// require_approval), which an approval or break-glass may override.
	PolicyEffect string `json:"policy_effect,omitempty"`
	// Rule is the name of the matching policy rule.
	Rule string `json:"rule,omitempty"`
	// RuleIndex is the position of the matching rule; a pointer so that
	// rule 0 is kept and lifecycle events leave it out.
	RuleIndex *int `json:"rule_index,omitempty"`
	// Reason says in words why the decision went the way it did.
	Reason string `json:"reason,omitempty"`
	// PolicySHA256 is the hash of the policy file the decision used; on a
	// lifecycle entry, of the policy the change was decided under.
	PolicySHA256 string `json:"policy_sha256,omitempty"`
	// PolicyPath is the policy file a lifecycle change (request.*,
	// breakglass.*) was decided under, as sentinel was pointed at it.
	PolicyPath string `json:"policy_path,omitempty"`
	// SourceIdentity is the STS SourceIdentity stamped on the session.
	SourceIdentity string `json:"source_identity,omitempty"`
	// RoleARN is the role assumed, if any.
	RoleARN string `json:"role_arn,omitempty"`
	// Roles are the role ARNs a revocation in AWS wrote (or failed to
	// write) the SentinelRevocations policy on.
	Roles []string `json:"roles,omitempty"`
	// ExpiresAt is when the issued credentials expire.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// DurationSeconds is the session duration granted.
	DurationSeconds int64 `json:"duration_seconds,omitempty"`
	// ApprovalID is the approved request that allowed this decision.
	ApprovalID string `json:"approval_id,omitempty"`
	// BreakglassID is the break-glass session that allowed this decision.
	BreakglassID string `json:"breakglass_id,omitempty"`
	// SessionID is the server-mode session the credentials were issued
	// under (decisions) or the session a lifecycle event is about.
	SessionID string `json:"session_id,omitempty"`
	// Cached is true when the credentials were served from the cache.
	Cached bool `json:"cached,omitempty"`
	// UTCOffset is the offset from UTC ("+05:30", "-04:00", "+00:00") of
	// the zone the decision read a policy time window in; omitted when it
	// read none. Zones come only from the database built into the binary.
	UTCOffset string `json:"utc_offset,omitempty"`
	// STSEndpoint is the STS endpoint the process was pointed at
	// (AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL) when it is not one of
	// AWS's own; omitted for AWS's. Set on every entry by the Logger (see
	// Options.STSEndpoint).
	STSEndpoint string `json:"sts_endpoint,omitempty"`
	// Note carries anything else worth knowing, e.g. "no role_arn:
	// session-token credentials, no SourceIdentity stamped".
	Note string `json:"note,omitempty"`

	// Lifecycle fields.

	// Actor is the person who acted (requested, approved, opened...).
	Actor string `json:"actor,omitempty"`
	// ActorARN is the actor's AWS identity.
	ActorARN string `json:"actor_arn,omitempty"`
	// Subject is the request or break-glass ID the event is about.
	Subject string `json:"subject,omitempty"`
	// Justification is the reason the actor gave.
	Justification string `json:"justification,omitempty"`
	// Comment is a reviewer's comment.
	Comment string `json:"comment,omitempty"`
	// ReasonCode is a break-glass reason code (incident, maintenance...).
	ReasonCode string `json:"reason_code,omitempty"`
	// Status is the subject's status after the event.
	Status string `json:"status,omitempty"`

	// Summary fields (auth.refused).

	// Count is how many calls the summary stands for.
	Count int64 `json:"count,omitempty"`
	// Since is when the first of them arrived.
	Since *time.Time `json:"since,omitempty"`

	// Hash is the hash of this line. Append ignores what the caller put
	// here and sets it after writing; Verify checks it. It is last so that
	// it is the field the chain format strips (see the package comment).
	Hash string `json:"hash,omitempty"`
}

// IntPtr returns a pointer to i, for Entry.RuleIndex.
func IntPtr(i int) *int { return &i }
