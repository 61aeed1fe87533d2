package e2e

import (
	"strings"
	"testing"
)

// The SourceIdentity and role session name the binary sends to STS give
// IAM user alice and a role session its caller named alice different
// labels, neither "sentinel.<label>." a prefix of the other's, and the
// role's label is the same under any session name.
func TestLabelsSentToSTSArePeople(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	people := map[string]string{
		"alice":   "arn:aws:iam::" + account + ":user/alice",
		"cialice": "arn:aws:sts::" + account + ":assumed-role/alice/alice",
		"cibob":   "arn:aws:sts::" + account + ":assumed-role/alice/bob",
	}
	sent := map[string][2]string{} // ARN -> SourceIdentity, RoleSessionName
	for name, arn := range people {
		p := w.newPerson(name)
		w.sts.AddUser(p.keyID, arn, account)
		p.mustRun("exec", "dev", "--", "true")
		c := w.lastAssume()
		if c.CallerARN == "" {
			t.Fatalf("%s: no AssumeRole recorded", name)
		}
		sent[arn] = [2]string{c.Params.Get("SourceIdentity"), c.Params.Get("RoleSessionName")}
	}
	label := func(si string) string {
		parts := strings.Split(si, ".")
		if len(parts) != 4 || parts[0] != "sentinel" || parts[2] != "direct" {
			t.Fatalf("SourceIdentity %q is not sentinel.<label>.direct.<id>", si)
		}
		return parts[1]
	}
	user, role, role2 := sent[people["alice"]], sent[people["cialice"]], sent[people["cibob"]]
	if label(user[0]) != "alice" || user[1] != "sentinel-alice" {
		t.Errorf("IAM user alice sent %v, want label alice", user)
	}
	if label(role[0]) == "alice" || role[1] == "sentinel-alice" {
		t.Errorf("a role session named alice sent alice's label: %v", role)
	}
	if label(role[0]) != label(role2[0]) || role[1] != role2[1] {
		t.Errorf("one role under two session names sent %v and %v", role, role2)
	}
	for _, a := range []string{user[0], role[0]} {
		for _, b := range []string{user[0], role[0]} {
			if a != b && strings.HasPrefix(b, "sentinel."+label(a)+".") {
				t.Errorf("%q is a prefix of another person's %q", "sentinel."+label(a)+".", b)
			}
		}
	}
	for _, v := range []string{user[0], role[0], user[1], role[1]} {
		if len(v) > 64 || strings.ContainsAny(v, ":/ ") {
			t.Errorf("%q breaks STS's limits", v)
		}
	}
}
