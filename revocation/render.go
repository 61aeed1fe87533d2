package revocation

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode"

	"github.com/sentinel-cli/sentinel/record"
)

// PolicyName is the name of the inline policy sentinel writes on every
// role the revoked credentials were issued for.
const PolicyName = "SentinelRevocations"

// RoleInlineLimit is IAM's limit on the characters of all of a role's
// inline policies together, whitespace not counted.
const RoleInlineLimit = 10240

// SessionTagKey is the session tag server mode puts on every hop.
const SessionTagKey = "sentinel-session-id"

// The Sids of the statements a document may hold. SidUnblockedBefore is
// followed by N = 1, 2, ...: IAM Sids are alphanumeric and unique.
const (
	SidRevokedSessions   = "SentinelRevokedSessions"
	SidRevokedGrants     = "SentinelRevokedGrants"
	SidBlockedPrincipals = "SentinelBlockedPrincipals"
	SidUnblockedBefore   = "SentinelUnblockedBefore"
	SidRevokeOlder       = "SentinelRevokeOlder"
)

// Document is the SentinelRevocations policy of one role.
type Document struct {
	// JSON is the document, without whitespace; nil when Empty.
	JSON []byte
	// SHA256 is the lower-case hex SHA-256 of JSON; empty when Empty.
	SHA256 string
	// Size is JSON's size as IAM counts it (PolicySize).
	Size int
	// Empty means no entry applies to the role: delete the policy.
	Empty bool
	// Fallback means the entries did not fit the budget and the document
	// denies every session of the role issued before IssuedBefore
	// instead. The caller must log it loudly, say so in its output, and
	// store NewOlder(role, IssuedBefore, the role's longest session) so
	// that later renders keep the statement.
	Fallback bool
	// IssuedBefore is the time of the document's SentinelRevokeOlder
	// statement (a fallback's, or an older entry's); zero when it has
	// none.
	IssuedBefore time.Time
	// Covered lists, sorted, the IDs of the entries whose credentials the
	// document denies: every active, unexpired entry naming the role.
	Covered []string
}

// Render returns the SentinelRevocations document of role at now, from the
// entries that are active and unexpired at now and name the role (the
// others are ignored, so the whole list may be passed). The output depends
// only on that set, not on the order of entries: values are sorted and
// deduplicated, SentinelUnblockedBefore<N> is numbered by label, and no
// statement has an empty list.
//
// An active older entry of the role puts its SentinelRevokeOlder statement
// in the document, and only the entries it does not cover (those made
// after its time) get statements of their own. budget is the characters
// left for this policy in the role's RoleInlineLimit (that limit less the
// role's other inline policies); a document larger than budget gives way
// to the fallback, a SentinelRevokeOlder statement at now (or at the
// latest entry, should a clock run ahead) that covers every entry. If not
// even that fits, Render returns ErrTooLarge.
//
// Every applicable entry is validated first: an entry that is not what
// sentinel writes fails the render rather than reach IAM.
func Render(entries []*Entry, role string, now time.Time, budget int) (Document, error) {
	if !ValidRoleARN(role) {
		return Document{}, record.Invalidf("render revocations: %q is not an IAM role ARN", role)
	}
	if budget < 0 {
		return Document{}, record.Invalidf("render revocations for %s: negative budget %d", role, budget)
	}
	var live []*Entry
	for _, e := range entries {
		if e == nil {
			return Document{}, record.Invalidf("render revocations for %s: nil entry", role)
		}
		if !e.ActiveAt(now) || !e.Names(role) {
			continue
		}
		if err := e.Validate(); err != nil {
			return Document{}, fmt.Errorf("render revocations for %s: %w", role, err)
		}
		live = append(live, e)
	}
	if len(live) == 0 {
		return Document{Empty: true}, nil
	}
	var older time.Time
	for _, e := range live {
		if e.Target == TargetOlder {
			older = latest(older, wholeSecond(e.IssuedBefore))
		}
	}
	doc, err := compose(live, older)
	if err != nil {
		return Document{}, fmt.Errorf("render revocations for %s: %w", role, err)
	}
	if doc.Size <= budget {
		return doc, nil
	}
	fallback := wholeSecond(now)
	for _, e := range live {
		fallback = latest(fallback, wholeSecond(e.reach()))
	}
	if doc, err = compose(live, fallback); err != nil {
		return Document{}, fmt.Errorf("render revocations for %s: %w", role, err)
	}
	doc.Fallback = true
	if doc.Size > budget {
		return Document{}, fmt.Errorf("render revocations for %s: fallback of %d characters, %d left: %w",
			role, doc.Size, budget, ErrTooLarge)
	}
	return doc, nil
}

// compose builds the document of live entries, with a SentinelRevokeOlder
// statement at older unless it is zero. An entry whose credentials were all
// issued before older is covered by that statement and gets none of its
// own.
func compose(live []*Entry, older time.Time) (Document, error) {
	var sessions, grants, blocks []string
	unblocked := map[string]time.Time{}
	covered := make([]string, 0, len(live))
	for _, e := range live {
		covered = append(covered, e.ID)
		if e.Target == TargetOlder || !older.IsZero() && !e.reach().After(older) {
			continue
		}
		switch e.Target {
		case TargetSession:
			sessions = append(sessions, e.Value)
		case TargetGrant:
			grants = append(grants, "sentinel.*."+e.Value+".*")
		case TargetBlock:
			blocks = append(blocks, "sentinel."+e.Value+".*")
		case TargetUnblocked:
			// A later block time denies more: keep the latest per person.
			unblocked[e.Value] = latest(unblocked[e.Value], wholeSecond(e.BlockedAt))
		}
	}
	var stmts []statement
	if len(sessions) > 0 {
		stmts = append(stmts, deny(SidRevokedSessions, condition{
			StringEquals: map[string][]string{"aws:PrincipalTag/" + SessionTagKey: sortedSet(sessions)},
		}))
	}
	if len(grants) > 0 {
		stmts = append(stmts, deny(SidRevokedGrants, condition{
			StringLike: map[string][]string{"aws:SourceIdentity": sortedSet(grants)},
		}))
	}
	if len(blocks) > 0 {
		stmts = append(stmts, deny(SidBlockedPrincipals, condition{
			StringLike: map[string][]string{"aws:SourceIdentity": sortedSet(blocks)},
		}))
	}
	labels := make([]string, 0, len(unblocked))
	for label := range unblocked {
		// A person blocked again is denied everything already.
		if !slices.Contains(blocks, "sentinel."+label+".*") {
			labels = append(labels, label)
		}
	}
	slices.Sort(labels)
	for i, label := range labels {
		stmts = append(stmts, deny(SidUnblockedBefore+strconv.Itoa(i+1), condition{
			StringLike:   map[string][]string{"aws:SourceIdentity": {"sentinel." + label + ".*"}},
			DateLessThan: map[string]string{"aws:TokenIssueTime": formatTime(unblocked[label])},
		}))
	}
	if !older.IsZero() {
		stmts = append(stmts, deny(SidRevokeOlder, condition{
			DateLessThan: map[string]string{"aws:TokenIssueTime": formatTime(older)},
		}))
	}
	body, err := encode(policy{Version: "2012-10-17", Statement: stmts})
	if err != nil {
		return Document{}, err
	}
	sum := sha256.Sum256(body)
	slices.Sort(covered)
	return Document{
		JSON:         body,
		SHA256:       hex.EncodeToString(sum[:]),
		Size:         PolicySize(body),
		IssuedBefore: older,
		Covered:      covered,
	}, nil
}

// policy, statement and condition give the document's JSON its field
// order: Version then Statement; Sid, Effect, Action, Resource, Condition;
// the operators in the order the issue lists them.
type policy struct {
	Version   string
	Statement []statement
}

type statement struct {
	Sid       string
	Effect    string
	Action    string
	Resource  string
	Condition condition
}

type condition struct {
	StringEquals map[string][]string `json:",omitempty"`
	StringLike   map[string][]string `json:",omitempty"`
	DateLessThan map[string]string   `json:",omitempty"`
}

// deny is a Deny statement on every action and resource under c.
func deny(sid string, c condition) statement {
	return statement{Sid: sid, Effect: "Deny", Action: "*", Resource: "*", Condition: c}
}

// encode marshals p without whitespace or HTML escaping.
func encode(p policy) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("encode policy: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// PolicySize is the size of a policy document as IAM counts it against
// its limits: characters, whitespace not counted.
func PolicySize(doc []byte) int {
	n := 0
	for _, r := range string(doc) {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// wholeSecond rounds t up to a whole second, in UTC. Policy times have
// whole seconds; rounding up makes "issued before t" never miss a
// credential issued in the same second just before t (failing closed: one
// issued in that second just after t is denied too).
func wholeSecond(t time.Time) time.Time {
	r := t.UTC().Truncate(time.Second)
	if r.Before(t) {
		r = r.Add(time.Second)
	}
	return r
}

// formatTime writes t as IAM's aws:TokenIssueTime condition expects.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// latest returns the later of two times.
func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// sortedSet returns the distinct values of s, sorted.
func sortedSet(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
