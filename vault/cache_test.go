package vault

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/byteness/keyring"
)

// clock is a settable clock for the cache.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var aliceID = Identity{ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333", UserID: "AIDAALICE", Name: "alice"}

func tempCreds(expires time.Time) Credentials {
	return Credentials{AccessKeyID: "ASIATEMP", SecretAccessKey: "temp-secret", SessionToken: "temp-token", Expires: expires}
}

func TestCacheSessionReuseMargin(t *testing.T) {
	isolate(t)
	clk := &clock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := NewCache(newFileKeyring(t), clk.now)
	e := SessionEntry{Credentials: tempCreds(clk.now().Add(10 * time.Minute)), Identity: aliceID}
	mustNoErr(t, c.PutSession("base", e))

	got, ok := c.Session("base")
	if !ok || got.Credentials != e.Credentials || got.Identity != e.Identity {
		t.Fatalf("Session = %+v, %v", got, ok)
	}
	// 5m01s left: still reused.
	clk.advance(4*time.Minute + 59*time.Second)
	if _, ok := c.Session("base"); !ok {
		t.Fatal("miss with more than 5 minutes left")
	}
	// 4m59s left: a miss, and the entry is gone.
	clk.advance(2 * time.Second)
	if _, ok := c.Session("base"); ok {
		t.Fatal("hit with less than 5 minutes left")
	}
	entries, err := c.Entries()
	if err != nil || len(entries) != 0 {
		t.Errorf("stale entry not deleted: %v, %v", entries, err)
	}
}

func TestCacheRoleReuseMargin(t *testing.T) {
	isolate(t)
	clk := &clock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := NewCache(newFileKeyring(t), clk.now)
	e := RoleEntry{Credentials: tempCreds(clk.now().Add(time.Hour)), RoleARN: "arn:aws:iam::222233334444:role/dev", SourceIdentity: "alice.policy.r1", RequestID: "r1", Identity: aliceID}
	// The second key part is the base profile whose keys issued them.
	mustNoErr(t, c.PutRole("dev", "alice", "policy", e))

	tests := []struct {
		profile, base, basis string
		hit                  bool
	}{
		{"dev", "alice", "policy", true},
		{"dev", "bob", "policy", false},
		{"dev", "alice", "approval:req-1", false},
		{"prod", "alice", "policy", false},
	}
	for _, tt := range tests {
		got, ok := c.Role(tt.profile, tt.base, tt.basis)
		if ok != tt.hit {
			t.Errorf("Role(%s, %s, %s) hit = %v, want %v", tt.profile, tt.base, tt.basis, ok, tt.hit)
		}
		if ok && !reflect.DeepEqual(got, e) {
			t.Errorf("Role = %+v, want %+v", got, e)
		}
	}
	clk.advance(55*time.Minute + time.Second)
	if _, ok := c.Role("dev", "alice", "policy"); ok {
		t.Error("hit with less than 5 minutes left")
	}
}

func TestCacheIdentity(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	c := NewCache(fileKeyring(t, dir, "pw"), nil)
	if _, ok := c.Identity("AKIAEXAMPLE"); ok {
		t.Fatal("hit on an empty cache")
	}
	mustNoErr(t, c.PutIdentity("AKIAEXAMPLE", aliceID))
	got, ok := c.Identity("AKIAEXAMPLE")
	if !ok || got != aliceID {
		t.Fatalf("Identity = %+v, %v", got, ok)
	}
	// The item is named by a hash: the access key ID is not in any file
	// name.
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		if strings.Contains(strings.ToUpper(f.Name()), "AKIAEXAMPLE") {
			t.Errorf("item file %q reveals the access key ID", f.Name())
		}
	}
	if err := c.PutIdentity("AKIA2", Identity{ARN: "garbage"}); err == nil {
		t.Error("PutIdentity accepted an identity without a caller ARN")
	}
}

func TestCacheCorruptEntriesAreDropped(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	future := now.Add(time.Hour).Format(time.RFC3339)
	tests := []struct {
		name string
		key  string
		data string
		hit  func(c *Cache) bool
	}{
		{"session not JSON", sessionItem("base"), "{{{", func(c *Cache) bool { _, ok := c.Session("base"); return ok }},
		{"session without token", sessionItem("base"),
			`{"profile":"base","credentials":{"access_key_id":"A","secret_access_key":"S","expires":"` + future + `"},"identity":{"arn":"arn:aws:iam::111122223333:user/alice","account":"111122223333","name":"alice"}}`,
			func(c *Cache) bool { _, ok := c.Session("base"); return ok }},
		{"session with a bad identity", sessionItem("base"),
			`{"profile":"base","credentials":{"access_key_id":"A","secret_access_key":"S","session_token":"T","expires":"` + future + `"},"identity":{"arn":"nope"}}`,
			func(c *Cache) bool { _, ok := c.Session("base"); return ok }},
		{"session of another profile", sessionItem("base"),
			`{"profile":"other","credentials":{"access_key_id":"A","secret_access_key":"S","session_token":"T","expires":"` + future + `"},"identity":{"arn":"arn:aws:iam::111122223333:user/alice","account":"111122223333","name":"alice"}}`,
			func(c *Cache) bool { _, ok := c.Session("base"); return ok }},
		{"identity not JSON", identityItem("AKIA1"), "\x00\x01",
			func(c *Cache) bool { _, ok := c.Identity("AKIA1"); return ok }},
		{"role wrong type", roleItem("dev", "alice", "policy"), `{"profile":42}`,
			func(c *Cache) bool { _, ok := c.Role("dev", "alice", "policy"); return ok }},
		{"role for someone else", roleItem("dev", "alice", "policy"),
			`{"profile":"dev","user":"bob","basis":"policy","credentials":{"access_key_id":"A","secret_access_key":"S","session_token":"T","expires":"` + future + `"}}`,
			func(c *Cache) bool { _, ok := c.Role("dev", "alice", "policy"); return ok }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			kr := newFileKeyring(t)
			mustNoErr(t, kr.Set(keyring.Item{Key: tt.key, Data: []byte(tt.data)}))
			c := NewCache(kr, func() time.Time { return now })
			if tt.hit(c) {
				t.Fatal("corrupt entry was a hit")
			}
			if _, err := kr.Get(tt.key); err != keyring.ErrKeyNotFound {
				t.Errorf("corrupt entry not deleted: %v", err)
			}
		})
	}
}

func TestCacheUndecryptableEntryDropped(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	kr := fileKeyring(t, dir, "pw")
	c := NewCache(kr, func() time.Time { return now })
	mustNoErr(t, c.PutSession("base", SessionEntry{Credentials: tempCreds(now.Add(time.Hour)), Identity: aliceID}))
	// Damage the file on disk.
	mustNoErr(t, os.WriteFile(filepath.Join(dir, sessionItem("base")), []byte("garbage"), 0o600))
	if _, ok := c.Session("base"); ok {
		t.Fatal("damaged file was a hit")
	}
	if _, err := os.Stat(filepath.Join(dir, sessionItem("base"))); !os.IsNotExist(err) {
		t.Errorf("damaged file not deleted: %v", err)
	}
	// And it can be cached again.
	mustNoErr(t, c.PutSession("base", SessionEntry{Credentials: tempCreds(now.Add(time.Hour)), Identity: aliceID}))
	if _, ok := c.Session("base"); !ok {
		t.Error("refetched entry not cached")
	}
}

func TestCachePutRejectsLongLivedKeys(t *testing.T) {
	isolate(t)
	c := NewCache(newFileKeyring(t), nil)
	keys := Credentials{AccessKeyID: "AKIA", SecretAccessKey: "S"}
	if err := c.PutSession("b", SessionEntry{Credentials: keys, Identity: aliceID}); err == nil {
		t.Error("PutSession accepted long-lived keys")
	}
	if err := c.PutRole("p", "u", "b", RoleEntry{Credentials: keys, Identity: aliceID}); err == nil {
		t.Error("PutRole accepted long-lived keys")
	}
	if err := c.PutSession("b", SessionEntry{Credentials: tempCreds(time.Now().Add(time.Hour))}); err == nil {
		t.Error("PutSession accepted an empty identity")
	}
}

func TestCacheEntriesAndClear(t *testing.T) {
	isolate(t)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	kr := newFileKeyring(t)
	c := NewCache(kr, func() time.Time { return now })
	ks := NewKeyStore(kr)
	mustNoErr(t, ks.Set("base", Credentials{AccessKeyID: "AKIA", SecretAccessKey: "S"}))
	exp1, exp2 := now.Add(time.Hour), now.Add(2*time.Hour)
	mustNoErr(t, c.PutSession("base", SessionEntry{Credentials: tempCreds(exp1), Identity: aliceID}))
	mustNoErr(t, c.PutRole("dev", "alice", "policy", RoleEntry{Credentials: tempCreds(exp2), Identity: aliceID}))
	mustNoErr(t, c.PutRole("dev", "alice", "approval:req-1", RoleEntry{Credentials: tempCreds(exp2), Identity: aliceID}))
	bobID := Identity{ARN: "arn:aws:iam::111122223333:user/bob", Account: "111122223333", UserID: "AIDABOB", Name: "bob"}
	mustNoErr(t, c.PutRole("prod", "bob-keys", "breakglass:bg-1", RoleEntry{Credentials: tempCreds(exp1), Identity: bobID}))
	// A damaged entry is left out of the listing (and deleted).
	mustNoErr(t, kr.Set(keyring.Item{Key: rolePrefixOf("junk") + "x", Data: []byte("{")}))

	got, err := c.Entries()
	if err != nil {
		t.Fatal(err)
	}
	want := []CacheInfo{
		{Kind: KindRole, Profile: "dev", User: "alice", Basis: "approval:req-1", Expires: exp2},
		{Kind: KindRole, Profile: "dev", User: "alice", Basis: "policy", Expires: exp2},
		{Kind: KindRole, Profile: "prod", User: "bob", Basis: "breakglass:bg-1", Expires: exp1},
		{Kind: KindSession, Profile: "base", User: "alice", Expires: exp1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Entries =\n%+v\nwant\n%+v", got, want)
	}

	mustNoErr(t, c.Clear("dev"))
	got, _ = c.Entries()
	if len(got) != 2 || got[0].Profile != "prod" || got[1].Profile != "base" {
		t.Fatalf("after Clear(dev): %+v", got)
	}
	mustNoErr(t, c.Clear("nothing-cached"))

	mustNoErr(t, c.Clear(""))
	got, _ = c.Entries()
	if len(got) != 0 {
		t.Fatalf("after Clear(\"\"): %+v", got)
	}
	// Clearing the cache never touches the long-lived keys.
	if !ks.Has("base") {
		t.Error("Clear removed long-lived keys")
	}
}

func TestCacheConcurrentUse(t *testing.T) {
	isolate(t)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	// Passphrase unlocked on first use, from several goroutines at once.
	c := NewCache(newFileKeyring(t), func() time.Time { return now })
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := RoleEntry{Credentials: tempCreds(now.Add(time.Hour)), Identity: aliceID}
			if err := c.PutRole("dev", "alice", "policy", e); err != nil {
				t.Error(err)
			}
			c.Role("dev", "alice", "policy")
			if _, err := c.Entries(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func TestCacheRoleNeedsAnIdentity(t *testing.T) {
	isolate(t)
	c := NewCache(newFileKeyring(t), nil)
	exp := time.Now().Add(time.Hour)
	if err := c.PutRole("dev", "base", "direct", RoleEntry{Credentials: tempCreds(exp)}); err == nil {
		t.Error("PutRole accepted an entry without the caller's identity")
	}
	mustNoErr(t, c.PutRole("dev", "base", "direct", RoleEntry{Credentials: tempCreds(exp), Identity: aliceID}))
	got, ok := c.Role("dev", "base", "direct")
	if !ok || got.Identity != aliceID {
		t.Errorf("Role = %+v, %v; want the identity back", got, ok)
	}
}
