package vault

import (
	"strings"

	"github.com/sentinel-cli/sentinel/person"
)

// DropRolesOf deletes every cached role credential set issued to the
// person behind arn, under any profile and basis, and returns how many it
// deleted. The broker calls it once it has found that person blocked: a
// warm credential_process hit may rely on a block check up to five minutes
// old, recorded in its entry, and an entry checked before the block was
// seen must not outlive the refusal. An entry that cannot be read is left
// alone; the first error met is returned after the rest are tried.
func (c *Cache) DropRolesOf(arn string) (int, error) {
	names, err := c.kr.Keys()
	if err != nil {
		return 0, err
	}
	var (
		dropped  int
		firstErr error
	)
	for _, n := range names {
		if !strings.HasPrefix(n, rolePrefix) {
			continue
		}
		var s storedRole
		found, err := c.load(n, &s)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if !found || !person.Same(s.Identity.ARN, arn) {
			continue
		}
		if err := c.kr.Remove(n); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		dropped++
	}
	return dropped, firstErr
}
