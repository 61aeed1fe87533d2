package vault

import (
	"strings"
	"testing"
	"time"
)

// The cache entry records when the block of its person was last checked,
// so a warm credential_process hit can rely on it; an entry without one
// reads back with the zero time (check again).
func TestCacheRoleBlockCheckedAt(t *testing.T) {
	isolate(t)
	clk := &clock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := NewCache(newFileKeyring(t), clk.now)
	for _, checked := range []time.Time{{}, clk.now().Add(-time.Minute), clk.now().In(time.FixedZone("x", 3600))} {
		e := RoleEntry{Credentials: tempCreds(clk.now().Add(time.Hour)), RoleARN: "arn:aws:iam::222233334444:role/dev", RequestID: "r1", Identity: aliceID, BlockCheckedAt: checked}
		mustNoErr(t, c.PutRole(devKey("direct"), e))
		got, ok, err := c.Role(devKey("direct"))
		if err != nil || !ok {
			t.Fatalf("Role: %v, %v", ok, err)
		}
		if !got.BlockCheckedAt.Equal(checked) || (!checked.IsZero() && got.BlockCheckedAt.Location() != time.UTC) {
			t.Errorf("BlockCheckedAt %v read back as %v", checked, got.BlockCheckedAt)
		}
	}
}

// DropRolesOf deletes the cached role credentials of one person, under
// every profile and basis, and no one else's.
func TestCacheDropRolesOf(t *testing.T) {
	isolate(t)
	clk := &clock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := NewCache(newFileKeyring(t), clk.now)
	for _, e := range []struct {
		basis string
		id    Identity
	}{{"direct", aliceID}, {"apr-0123456789abcdef", aliceID}, {"bg-0123456789abcdef", malloryID}} {
		mustNoErr(t, c.PutRole(devKey(e.basis), RoleEntry{Credentials: tempCreds(clk.now().Add(time.Hour)), RoleARN: "arn:aws:iam::222233334444:role/dev", RequestID: "r1", Identity: e.id}))
	}
	n, err := c.DropRolesOf(strings.ToUpper(aliceID.ARN[:4]) + aliceID.ARN[4:])
	if err != nil || n != 2 {
		t.Fatalf("DropRolesOf = %d, %v; want 2 dropped", n, err)
	}
	for basis, want := range map[string]bool{"direct": false, "apr-0123456789abcdef": false, "bg-0123456789abcdef": true} {
		if _, ok, _ := c.Role(devKey(basis)); ok != want {
			t.Errorf("entry %s present = %t, want %t", basis, ok, want)
		}
	}
}
