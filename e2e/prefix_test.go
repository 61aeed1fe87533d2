package e2e

import (
	"testing"
)

// prefixResolvesAnyones: a six-digit prefix of someone else's request
// that is no longer pending resolves, through the store's ID-prefix index.
func prefixResolvesAnyones(t *testing.T, w *world, newPerson func(string) *person) {
	alice, bob, carol := newPerson("alice"), newPerson("bob"), newPerson("carol")
	id := alice.newRequest("prod")
	bob.mustRun("approve", id[:6], "--comment", "ok")
	for _, p := range []*person{carol, bob, alice} {
		v := p.requestView(id[:6])
		if v["id"] != id || v["status"] != "approved" {
			t.Errorf("%s: requests show %s = %v, want %s, approved", p.name, id[:6], v, id)
		}
	}
	carol.mustFail(`no request|not found`, "requests", "show", "ffffff")
}

// TestPrefixResolvesAnyonesRequest runs the prefix story on the embedded
// store.
func TestPrefixResolvesAnyonesRequest(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	prefixResolvesAnyones(t, w, w.newPerson)
}

// TestTeamPrefixResolvesAnyonesRequest runs the prefix story through the
// team service (GET /v1/requests?id_prefix=).
func TestTeamPrefixResolvesAnyonesRequest(t *testing.T) {
	w := newWorld(t)
	url := startTeamService(t, w)
	prefixResolvesAnyones(t, w, func(name string) *person { return w.newTeamPerson(name, url) })
}
