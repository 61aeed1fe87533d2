package vault

import (
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
