package policy

import (
	"path"
	"strings"
)

// profileSet matches profile names against a list of exact names and globs.
// The zero value matches every profile (a condition that was left out).
type profileSet struct {
	// given is true when the list was written in the file.
	given bool
	exact []string
	globs []glob
}

// glob is a shell-style pattern checked once at load. Matching uses
// path.Match, which neither parses ahead nor allocates; prefix (the literal
// text before the first metacharacter) rejects most names without it.
type glob struct {
	pattern string
	prefix  string
}

// globMeta are the characters that make a profile entry a pattern.
const globMeta = `*?[\`

// newProfileSet compiles entries. It returns the index of the bad pattern
// and its error when a glob does not compile.
func newProfileSet(entries []string) (profileSet, int, error) {
	s := profileSet{given: true}
	for i, e := range entries {
		if !strings.ContainsAny(e, globMeta) {
			s.exact = append(s.exact, e)
			continue
		}
		// path.Match checks the whole pattern, so matching "" finds every
		// syntax error now rather than at evaluation time.
		if _, err := path.Match(e, ""); err != nil {
			return profileSet{}, i, err
		}
		prefix := e
		if i := strings.IndexAny(e, globMeta); i >= 0 {
			prefix = e[:i]
		}
		s.globs = append(s.globs, glob{pattern: e, prefix: prefix})
	}
	return s, -1, nil
}

// match reports whether profile is in the set: exact names first, then globs.
func (s *profileSet) match(profile string) bool {
	if !s.given {
		return true
	}
	for _, e := range s.exact {
		if e == profile {
			return true
		}
	}
	for _, g := range s.globs {
		if !strings.HasPrefix(profile, g.prefix) {
			continue
		}
		if ok, _ := path.Match(g.pattern, profile); ok {
			return true
		}
	}
	return false
}

// principalSet matches a caller by short name or by full ARN, exactly and
// case-sensitively. The zero value matches everyone (a condition that was
// left out).
type principalSet struct {
	given bool
	names []string
	arns  []string
}

// newPrincipalSet sorts entries into ARNs (starting with "arn:") and names.
func newPrincipalSet(entries []string) principalSet {
	s := principalSet{given: true}
	for _, e := range entries {
		if strings.HasPrefix(e, "arn:") {
			s.arns = append(s.arns, e)
		} else {
			s.names = append(s.names, e)
		}
	}
	return s
}

// match reports whether the caller with short name user and ARN arn is in
// the set. Entries are never empty, so an empty user or arn matches nothing.
func (s *principalSet) match(user, arn string) bool {
	if !s.given {
		return true
	}
	for _, n := range s.names {
		if n == user {
			return true
		}
	}
	for _, a := range s.arns {
		if a == arn {
			return true
		}
	}
	return false
}

// modeSet is a bit mask of modes; 0 matches every mode (a condition that
// was left out).
type modeSet uint8

func (s modeSet) match(m Mode) bool {
	return s == 0 || uint8(s)&modeBit(m) != 0
}
