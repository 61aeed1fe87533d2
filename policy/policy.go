package policy

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Version is the only policy file version this package reads.
const Version = "1"

// Policy is a loaded, validated and compiled policy file. It is read-only
// after Load and safe for concurrent use.
type Policy struct {
	// Path is the file the policy was read from, as given to Load or Parse.
	Path string
	// SHA256 is the hex SHA-256 of the file's bytes, so that a decision can
	// be tied to the exact policy that made it.
	SHA256 string
	// Rules are evaluated in order; the first match decides.
	Rules []Rule
	// Approvals say who may approve requests for which profiles.
	Approvals []ApprovalRule
	// Breakglass says who may break the glass for which profiles.
	Breakglass []BreakglassRule
	// Accounts are the 12-digit account IDs in which bare names (users
	// and approvers written without "arn:") identify principals.
	Accounts []string
	// Pins bind profile names to the roles they may assume; nil when the
	// file has no profiles: section (see HasPins).
	Pins map[string]ProfilePin

	hasPins bool
	// index finds the rules that could match a profile (see ruleIndex);
	// nil for a Policy not made by Parse, which Evaluate then scans.
	index *ruleIndex
	// tests are the cases of the tests: section (see Tests).
	tests []TestCase
	// view is set on a policy read through its compiled form for one
	// profile (see ParseCompiled); nil on a policy read in full.
	view *profileView
}

// Rule is one entry of the rules: section. Rules come from Load or Parse,
// which compile their conditions; a Rule built by hand never matches, so
// that a mistake fails closed.
type Rule struct {
	// Name identifies the rule in decisions and logs; unique in the file.
	Name string
	// Effect is what happens to a request the rule matches.
	Effect Effect
	// Conditions must all hold for the rule to match.
	Conditions Conditions
	// MaxDuration caps the lifetime of issued credentials; 0 means no cap.
	MaxDuration time.Duration
	// Reason is told to the requester and written to the decision log.
	Reason string
	// Line is where the rule starts in the file.
	Line int

	compiled     bool // set by the decoder once the matchers below are built
	profiles     profileSet
	users        principalSet
	roles        roleSet
	modes        modeSet
	serverReason string // Reason for a require_server rule outside server mode
}

// Conditions are a rule's conditions as written; a nil or empty field was
// left out and matches anything.
type Conditions struct {
	// Profiles are exact profile names or shell-style globs.
	Profiles []string
	// Users are bare principal names, or full ARNs and ARN globs ("arn:...").
	Users []string
	// Roles are role ARN globs matched against the roles the chain assumes.
	Roles []string
	// Modes are the modes the rule applies to.
	Modes []Mode
	// Time limits the rule to some days and hours.
	Time *TimeWindow
}

// Load reads the policy file at path and parses it. Errors name the path;
// an invalid file yields a *LoadError.
func Load(path string) (*Policy, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, fmt.Errorf("load policy %s: %w", path, err)
	}
	return Parse(data, path)
}

// Parse decodes, validates and compiles a policy file's bytes. path is used
// in messages and kept in Policy.Path. Every problem found is returned in
// one *LoadError.
func Parse(data []byte, path string) (*Policy, error) {
	return parse(data, path, false)
}

// parse is Parse; slowYAML makes it read every file with yaml.v3, for the
// test that holds the fast reader to it.
func parse(data []byte, path string, slowYAML bool) (*Policy, error) {
	d := &decoder{slowYAML: slowYAML}
	var p *Policy
	if d.checkSize(data) {
		p = d.document(data)
	}
	if len(d.issues) > 0 {
		// Again, spelling out the field paths the issues name.
		d = &decoder{paths: true, zones: d.zones, slowYAML: slowYAML}
		if d.checkSize(data) {
			d.document(data)
		}
		// Sections are decoded in file order, but name checks run after
		// a whole section; sorting keeps the output in reading order.
		slices.SortStableFunc(d.issues, func(a, b Issue) int { return cmp.Compare(a.Line, b.Line) })
		return nil, &LoadError{Path: path, Issues: d.issues}
	}
	p.index = newRuleIndex(p.Rules)
	sum := sha256.Sum256(data)
	p.Path = path
	p.SHA256 = hex.EncodeToString(sum[:])
	return p, nil
}

// Summary counts the policy's entries, like
// "4 rules, 1 approval rule, 1 break-glass rule".
func (p *Policy) Summary() string {
	s := plural(len(p.Rules), "rule") + ", " +
		plural(len(p.Approvals), "approval rule") + ", " +
		plural(len(p.Breakglass), "break-glass rule")
	if p.hasPins {
		s += ", " + plural(len(p.Pins), "pinned profile")
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// FormatDuration renders d without zero units: 1h rather than 1h0m0s,
// 1h30m rather than 1h30m0s. It returns "none" for 0.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "none"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
