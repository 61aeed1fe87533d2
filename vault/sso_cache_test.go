package vault

import (
	"testing"
	"time"
)

func TestSSORoleCache(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	c := NewCache(newFileKeyring(t), func() time.Time { return now })
	base := &SSOBase{Profile: "dev", Session: testSession, AccountID: ssoAccount, RoleName: ssoRole}
	key := SSORoleKeyFor(base)
	id, err := ParseIdentity("arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com", "", "AROAEXAMPLE:alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	creds := Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "s", SessionToken: "t", Expires: now.Add(time.Hour)}
	if err := c.PutSSORole(key, SSORoleEntry{Credentials: creds, Identity: id}); err != nil {
		t.Fatal(err)
	}
	if e, ok, err := c.SSORole(key); !ok || err != nil || e.Identity != id || e.Credentials.AccessKeyID != "ASIAEXAMPLE" {
		t.Fatalf("SSORole: %v %t %v", e, ok, err)
	}
	other := key
	other.RoleName = "ReadOnly"
	if _, ok, _ := c.SSORole(other); ok {
		t.Error("another role's key hit the cache")
	}
	// Credentials of another account are never filed under this key.
	wrong, _ := ParseIdentity("arn:aws:sts::444455556666:assumed-role/R/alice", "", "")
	if err := c.PutSSORole(key, SSORoleEntry{Credentials: creds, Identity: wrong}); err == nil {
		t.Error("PutSSORole accepted an identity of another account")
	}
	if _, err := c.ClearAll(); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.SSORole(key); ok {
		t.Error("ClearAll left the SSO role credentials")
	}
	if err := c.PutSSORole(key, SSORoleEntry{Credentials: creds, Identity: id}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(56 * time.Minute) // less than ReuseMargin left
	if _, ok, _ := c.SSORole(key); ok {
		t.Error("nearly expired credentials were reused")
	}
}
