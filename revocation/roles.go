package revocation

import (
	"slices"
	"strings"
)

// Roles returns the distinct roles the entries name, whatever their
// status, sorted and compared ignoring case (the first spelling is kept):
// the roles whose policies a full re-render (sessions sync-aws) writes,
// or deletes once their last entry is pruned.
func Roles(entries []*Entry) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range entries {
		if e == nil {
			continue
		}
		for _, r := range e.Roles {
			if k := strings.ToLower(r); !seen[k] {
				seen[k] = true
				out = append(out, r)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}
