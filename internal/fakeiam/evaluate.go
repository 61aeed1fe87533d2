package fakeiam

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/internal/fakests"
)

// RequestContext is the part of an AWS request context the evaluator
// reads: the session tags (aws:PrincipalTag/<key>), the SourceIdentity
// (aws:SourceIdentity) and the issue time of the credentials
// (aws:TokenIssueTime). An empty SourceIdentity and a zero TokenIssueTime
// mean the key is absent from the request.
type RequestContext struct {
	PrincipalTags  map[string]string
	SourceIdentity string
	TokenIssueTime time.Time
}

// ErrUnsupportedPolicy is returned (wrapped) by Denies for a policy it
// cannot evaluate faithfully: a Deny statement of another shape than
// Action "*" on Resource "*", or a condition operator or key outside
// StringEquals, StringLike, DateLessThan on aws:PrincipalTag/<key>,
// aws:SourceIdentity, aws:TokenIssueTime. The evaluator refuses rather than
// guess.
var ErrUnsupportedPolicy = errors.New("policy outside what the stand-in evaluates")

// ErrNoSuchRole is returned by Denies for a role the stand-in does not know.
var ErrNoSuchRole = errors.New("no such role")

// ErrNotIssued is returned by DeniesIssued for an access key the STS
// stand-in did not issue role credentials for.
var ErrNotIssued = errors.New("credentials not issued by the STS stand-in for a role")

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupportedPolicy, fmt.Sprintf(format, args...))
}

// Denies reports whether the inline policies of roleARN deny every call
// made in context c, as IAM would decide it: one Deny statement whose
// Condition matches is enough. Within a Condition every operator and every
// key must match (AND) and one of a key's values suffices (OR); a key the
// request lacks matches no operator. Condition keys are case-insensitive,
// StringEquals and StringLike values case-sensitive. Allow statements
// cannot deny and are skipped. Policies are evaluated in name order and
// every Deny statement is checked, so an unsupported statement is an error
// even when another one denies.
func (s *Server) Denies(roleARN string, c RequestContext) (bool, error) {
	s.mu.Lock()
	r := s.roleByARN(roleARN)
	var names, docs []string
	if r != nil {
		for name := range r.policies {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			docs = append(docs, r.policies[name])
		}
	}
	s.mu.Unlock()
	if r == nil {
		return false, fmt.Errorf("%w: %s", ErrNoSuchRole, roleARN)
	}
	denied := false
	for i, doc := range docs {
		d, err := EvaluateDeny(doc, c)
		if err != nil {
			return false, fmt.Errorf("policy %s of %s: %w", names[i], roleARN, err)
		}
		denied = denied || d
	}
	return denied, nil
}

// DeniesIssued is Denies for the role credentials of accessKeyID, as the
// STS stand-in issued them (their role, session tags, SourceIdentity and
// issue time).
func (s *Server) DeniesIssued(accessKeyID string) (bool, error) {
	issued, ok := s.sts.Issued(accessKeyID)
	if !ok || issued.RoleARN == "" {
		return false, fmt.Errorf("%w: %s", ErrNotIssued, accessKeyID)
	}
	return s.Denies(issued.RoleARN, ContextOf(issued))
}

// ContextOf is the request context of credentials the STS stand-in issued.
func ContextOf(issued fakests.IssuedCredentials) RequestContext {
	return RequestContext{PrincipalTags: issued.Tags, SourceIdentity: issued.SourceIdentity, TokenIssueTime: issued.IssuedAt}
}

// EvaluateDeny is Denies for one policy document: it parses doc (an
// error wrapping ErrMalformedPolicy when IAM would refuse it) and reports
// whether one of its Deny statements matches c.
func EvaluateDeny(doc string, c RequestContext) (bool, error) {
	statements, err := parsePolicy(doc)
	if err != nil {
		return false, err
	}
	denied := false
	for _, st := range statements {
		if st.effect != "Deny" {
			continue
		}
		conds, err := compileDeny(st)
		if err != nil {
			return false, err
		}
		denied = denied || matchesAll(conds, c)
	}
	return denied, nil
}

// The condition keys the evaluator knows, lower-cased.
const (
	keyPrincipalTag   = "aws:principaltag/"
	keySourceIdentity = "aws:sourceidentity"
	keyTokenIssueTime = "aws:tokenissuetime"
)

// condition is one operator on one key with its values, compiled.
type condition struct {
	op     string
	key    string // lower-cased
	values []string
	times  []time.Time // DateLessThan values
}

// compileDeny checks that a Deny statement is in the supported subset and
// compiles its Condition.
func compileDeny(st statement) ([]condition, error) {
	if st.notAction || st.notRes {
		return nil, unsupported("statement %q uses NotAction or NotResource", st.sid)
	}
	if !slices.Contains(st.actions, "*") || !slices.Contains(st.resources, "*") {
		return nil, unsupported("statement %q denies less than Action \"*\" on Resource \"*\"", st.sid)
	}
	var out []condition
	for op, keys := range st.conditions {
		for key, raw := range keys {
			c := condition{op: op, key: strings.ToLower(key)}
			switch {
			case strings.HasPrefix(c.key, keyPrincipalTag) && len(c.key) > len(keyPrincipalTag),
				c.key == keySourceIdentity:
				if op != "StringEquals" && op != "StringLike" {
					return nil, unsupported("operator %s on %s", op, key)
				}
			case c.key == keyTokenIssueTime:
				if op != "DateLessThan" {
					return nil, unsupported("operator %s on %s", op, key)
				}
			default:
				return nil, unsupported("condition key %s", key)
			}
			for _, v := range raw {
				if op == "DateLessThan" {
					t, err := parseDate(v)
					if err != nil {
						return nil, err
					}
					c.times = append(c.times, t)
					continue
				}
				var s string
				if json.Unmarshal(v, &s) != nil {
					return nil, unsupported("a non-string value for %s %s", op, key)
				}
				if strings.Contains(s, "${") {
					return nil, unsupported("policy variables in %s %s", op, key)
				}
				c.values = append(c.values, s)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// parseDate reads a date condition value: ISO 8601 (as RFC 3339, or a
// date alone) or seconds since the epoch, as a string or a number.
func parseDate(v json.RawMessage) (time.Time, error) {
	var s string
	if json.Unmarshal(v, &s) != nil {
		var n json.Number
		if json.Unmarshal(v, &n) != nil {
			return time.Time{}, unsupported("a date value that is neither a string nor a number")
		}
		s = n.String()
	}
	if secs, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(secs, 0).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, unsupported("date value %q", s)
}

// matchesAll reports whether every condition matches c; no condition at
// all matches every request.
func matchesAll(conds []condition, c RequestContext) bool {
	for _, cond := range conds {
		if !cond.matches(c) {
			return false
		}
	}
	return true
}

func (cond condition) matches(c RequestContext) bool {
	if cond.op == "DateLessThan" {
		if c.TokenIssueTime.IsZero() {
			return false
		}
		return slices.ContainsFunc(cond.times, c.TokenIssueTime.Before)
	}
	// The values the request has for the key: a tag key is matched without
	// regard to case, so a context with Team and team offers both.
	var got []string
	if cond.key == keySourceIdentity {
		if c.SourceIdentity != "" {
			got = append(got, c.SourceIdentity)
		}
	} else {
		want := cond.key[len(keyPrincipalTag):]
		for k, v := range c.PrincipalTags {
			if strings.EqualFold(k, want) {
				got = append(got, v)
			}
		}
	}
	for _, g := range got {
		for _, v := range cond.values {
			if cond.op == "StringEquals" && g == v || cond.op == "StringLike" && globMatch(v, g) {
				return true
			}
		}
	}
	return false
}

// globMatch reports whether s matches pattern, where * matches any run of
// characters (none included) and ? exactly one, as IAM's StringLike.
func globMatch(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	pi, ti := 0, 0
	star, mark := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
