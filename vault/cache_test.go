package vault

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
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

var malloryID = Identity{ARN: "arn:aws:iam::111122223333:user/mallory", Account: "111122223333", UserID: "AIDAMALLORY", Name: "mallory"}

func tempCreds(expires time.Time) Credentials {
	return Credentials{AccessKeyID: "ASIATEMP", SecretAccessKey: "temp-secret", SessionToken: "temp-token", Expires: expires}
}

// devKey is a role key for profile dev assumed from base profile alice.
func devKey(basis string) RoleKey {
	return RoleKey{Profile: "dev", Base: "alice", RoleARNs: []string{"arn:aws:iam::222233334444:role/dev"}, ExternalIDs: []string{""}, Region: "eu-west-1", Basis: basis}
}

// mustHit returns a function that takes a cache lookup's three results and
// fails the test unless it was a hit: mustHit(t)(c.Session("base", "")).
func mustHit(t *testing.T) func(v any, ok bool, err error) any {
	return func(v any, ok bool, err error) any {
		t.Helper()
		if err != nil || !ok {
			t.Fatalf("want a hit, got ok=%v err=%v", ok, err)
		}
		return v
	}
}

func TestCacheSessionReuseMargin(t *testing.T) {
	isolate(t)
	clk := &clock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := NewCache(newFileKeyring(t), clk.now)
	e := SessionEntry{Credentials: tempCreds(clk.now().Add(10 * time.Minute)), Identity: aliceID}
	mustNoErr(t, c.PutSession("base", e))

	got := mustHit(t)(c.Session("base", "")).(SessionEntry)
	if got.Credentials != e.Credentials || got.Identity != e.Identity {
		t.Fatalf("Session = %+v", got)
	}
	// 5m01s left: still reused.
	clk.advance(4*time.Minute + 59*time.Second)
	mustHit(t)(c.Session("base", ""))
	// 4m59s left: a miss, and the entry is gone.
	clk.advance(2 * time.Second)
	if _, ok, _ := c.Session("base", ""); ok {
		t.Fatal("hit with less than 5 minutes left")
	}
	entries, err := c.Entries()
	if err != nil || len(entries) != 0 {
		t.Errorf("stale entry not deleted: %v, %v", entries, err)
	}
}

func TestCacheSessionMFA(t *testing.T) {
	const serial = "arn:aws:iam::111122223333:mfa/alice"
	tests := []struct {
		name       string
		storedWith string
		wantFor    string
		hit        bool
	}{
		{"no MFA for a profile without mfa_serial", "", "", true},
		{"no MFA for a profile with mfa_serial", "", serial, false},
		{"MFA for a profile without mfa_serial", serial, "", true},
		{"MFA for a profile with the same mfa_serial", serial, serial, true},
		{"MFA of another device", "arn:aws:iam::111122223333:mfa/other", serial, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			c := NewCache(newFileKeyring(t), func() time.Time { return now })
			mustNoErr(t, c.PutSession("base", SessionEntry{Credentials: tempCreds(now.Add(time.Hour)), Identity: aliceID, MFASerial: tt.storedWith}))
			got, ok, err := c.Session("base", tt.wantFor)
			if err != nil || ok != tt.hit {
				t.Fatalf("Session(base, %q) = %v, %v; want hit %v", tt.wantFor, ok, err, tt.hit)
			}
			if ok && got.MFASerial != tt.storedWith {
				t.Errorf("MFASerial = %q, want %q", got.MFASerial, tt.storedWith)
			}
		})
	}
}

func TestCacheRoleKey(t *testing.T) {
	isolate(t)
	clk := &clock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := NewCache(newFileKeyring(t), clk.now)
	e := RoleEntry{Credentials: tempCreds(clk.now().Add(time.Hour)), RoleARN: "arn:aws:iam::222233334444:role/dev", SourceIdentity: "alice.policy.r1", RequestID: "r1", Identity: aliceID}
	mustNoErr(t, c.PutRole(devKey("direct"), e))

	change := func(f func(k *RoleKey)) RoleKey { k := devKey("direct"); f(&k); return k }
	tests := []struct {
		name string
		key  RoleKey
		hit  bool
	}{
		{"same key", devKey("direct"), true},
		{"other base profile", change(func(k *RoleKey) { k.Base = "bob" }), false},
		{"other basis", devKey("apr-1"), false},
		{"other profile", change(func(k *RoleKey) { k.Profile = "prod" }), false},
		{"role_arn changed", change(func(k *RoleKey) { k.RoleARNs = []string{"arn:aws:iam::222233334444:role/admin"} }), false},
		{"an extra hop", change(func(k *RoleKey) {
			k.RoleARNs = append([]string{"arn:aws:iam::222233334444:role/jump"}, k.RoleARNs...)
			k.ExternalIDs = []string{"", ""}
		}), false},
		{"external ID", change(func(k *RoleKey) { k.ExternalIDs = []string{"ext-1"} }), false},
		{"MFA serial", change(func(k *RoleKey) { k.MFASerial = "arn:aws:iam::111122223333:mfa/alice" }), false},
		{"STS region", change(func(k *RoleKey) { k.Region = "us-east-1" }), false},
	}
	for _, tt := range tests {
		got, ok, err := c.Role(tt.key)
		if err != nil || ok != tt.hit {
			t.Errorf("%s: Role hit = %v (%v), want %v", tt.name, ok, err, tt.hit)
		}
		if ok && !reflect.DeepEqual(got, e) {
			t.Errorf("%s: Role = %+v, want %+v", tt.name, got, e)
		}
	}
	if !c.HasRoleEntries("dev") || c.HasRoleEntries("prod") {
		t.Error("HasRoleEntries does not tell which profiles have entries")
	}
	clk.advance(55*time.Minute + time.Second)
	if _, ok, _ := c.Role(devKey("direct")); ok {
		t.Error("hit with less than 5 minutes left")
	}
}

// An item whose name is right but whose recorded key differs (copied from
// another entry, or written by hand) is not served.
func TestCacheRoleItemUnderAnotherKeysName(t *testing.T) {
	isolate(t)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	kr := newFileKeyring(t)
	c := NewCache(kr, func() time.Time { return now })
	old := devKey("direct")
	mustNoErr(t, c.PutRole(old, RoleEntry{Credentials: tempCreds(now.Add(time.Hour)), Identity: aliceID}))
	item, err := kr.Get(roleItem(old))
	mustNoErr(t, err)
	changed := devKey("direct")
	changed.RoleARNs = []string{"arn:aws:iam::222233334444:role/admin"}
	mustNoErr(t, kr.Set(keyring.Item{Key: roleItem(changed), Data: item.Data}))
	if _, ok, _ := c.Role(changed); ok {
		t.Fatal("an entry recorded for another key was served")
	}
}

func TestCacheIdentity(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	clk := &clock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := NewCache(fileKeyring(t, dir, "pw"), clk.now)
	keys := Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "example-secret"}
	if _, ok, err := c.Identity(keys); ok || err != nil {
		t.Fatalf("hit on an empty cache (%v)", err)
	}
	mustNoErr(t, c.PutIdentity(keys, aliceID))
	if got := mustHit(t)(c.Identity(keys)).(Identity); got != aliceID {
		t.Fatalf("Identity = %+v", got)
	}
	// Other keys under the same access key ID: not the same binding.
	if _, ok, _ := c.Identity(Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "another-secret"}); ok {
		t.Error("identity served for another secret under the same access key ID")
	}
	// The item is named by a hash: the access key ID is not in any file
	// name.
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		if strings.Contains(strings.ToUpper(f.Name()), "AKIAEXAMPLE") {
			t.Errorf("item file %q reveals the access key ID", f.Name())
		}
	}
	if err := c.PutIdentity(keys, Identity{ARN: "garbage"}); err == nil {
		t.Error("PutIdentity accepted an identity without a caller ARN")
	}
	// Re-established at least every 12 hours.
	clk.advance(IdentityMaxAge - time.Second)
	mustHit(t)(c.Identity(keys))
	clk.advance(time.Second)
	if _, ok, _ := c.Identity(keys); ok {
		t.Error("identity older than 12 hours was served")
	}
	// A fetch time in the future (a clock set back) is not trusted either.
	mustNoErr(t, c.PutIdentity(keys, aliceID))
	clk.advance(-time.Hour)
	if _, ok, _ := c.Identity(keys); ok {
		t.Error("identity fetched in the future was served")
	}
}

// A forged identity item, under the right item name, naming someone else,
// is never trusted: not without a binding, not with a wrong one, not in the
// old format without any.
func TestCacheForgedIdentity(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	keys := Credentials{AccessKeyID: "AKIAALICE0000001", SecretAccessKey: "alice-secret"}
	forge := func(binding string) string {
		b, _ := json.Marshal(storedKeyIdentity{Identity: storedIdentity(malloryID), Binding: binding, FetchedAt: now})
		return string(b)
	}
	oldFormat, _ := json.Marshal(storedIdentity(malloryID))
	tests := []struct {
		name string
		data string
	}{
		{"old format, no binding", string(oldFormat)},
		{"no binding", forge("")},
		{"wrong binding", forge(strings.Repeat("ab", 32))},
		{"binding of the access key ID alone", forge(keyBinding(Credentials{AccessKeyID: keys.AccessKeyID}))},
		{"binding of other keys", forge(keyBinding(Credentials{AccessKeyID: keys.AccessKeyID, SecretAccessKey: "mallory-secret"}))},
		{"not JSON", "\x00\x01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			kr := newFileKeyring(t)
			mustNoErr(t, kr.Set(keyring.Item{Key: identityItem(keys.AccessKeyID), Data: []byte(tt.data)}))
			c := NewCache(kr, func() time.Time { return now })
			id, ok, err := c.Identity(keys)
			if ok || err != nil {
				t.Fatalf("forged identity trusted: %+v, %v, %v", id, ok, err)
			}
			// Refreshing overwrites it.
			mustNoErr(t, c.PutIdentity(keys, aliceID))
			if got := mustHit(t)(c.Identity(keys)).(Identity); got != aliceID {
				t.Errorf("after refresh: %+v", got)
			}
		})
	}
}

func TestCacheCorruptEntriesAreDropped(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	future := now.Add(time.Hour).Format(time.RFC3339)
	session := func(c *Cache) bool { _, ok, _ := c.Session("base", ""); return ok }
	role := func(c *Cache) bool { _, ok, _ := c.Role(devKey("direct")); return ok }
	tests := []struct {
		name string
		key  string
		data string
		hit  func(c *Cache) bool
	}{
		{"session not JSON", sessionItem("base"), "{{{", session},
		{"session without token", sessionItem("base"),
			`{"profile":"base","credentials":{"access_key_id":"A","secret_access_key":"S","expires":"` + future + `"},"identity":{"arn":"arn:aws:iam::111122223333:user/alice","account":"111122223333","name":"alice"}}`,
			session},
		{"session with a bad identity", sessionItem("base"),
			`{"profile":"base","credentials":{"access_key_id":"A","secret_access_key":"S","session_token":"T","expires":"` + future + `"},"identity":{"arn":"nope"}}`,
			session},
		{"session of another profile", sessionItem("base"),
			`{"profile":"other","credentials":{"access_key_id":"A","secret_access_key":"S","session_token":"T","expires":"` + future + `"},"identity":{"arn":"arn:aws:iam::111122223333:user/alice","account":"111122223333","name":"alice"}}`,
			session},
		{"role wrong type", roleItem(devKey("direct")), `{"key":42}`, role},
		{"role for someone else", roleItem(devKey("direct")),
			`{"user":"bob","credentials":{"access_key_id":"A","secret_access_key":"S","session_token":"T","expires":"` + future + `"}}`,
			role},
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

// An entry that cannot be decrypted is an error, and it is kept: with a
// wrong passphrase every item looks like that.
func TestCacheUndecryptableEntryKept(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	right := NewCache(fileKeyring(t, dir, "right"), clock)
	keys := Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "example-secret"}
	mustNoErr(t, right.PutSession("alice", SessionEntry{Credentials: tempCreds(now.Add(time.Hour)), Identity: aliceID}))
	mustNoErr(t, right.PutRole(devKey("direct"), RoleEntry{Credentials: tempCreds(now.Add(time.Hour)), Identity: aliceID}))
	mustNoErr(t, right.PutIdentity(keys, aliceID))
	before := snapshot(t, dir)

	wrong := NewCache(fileKeyring(t, dir, "wrong"), clock)
	checks := map[string]func() error{
		"Session":         func() error { _, _, err := wrong.Session("alice", ""); return err },
		"Role":            func() error { _, _, err := wrong.Role(devKey("direct")); return err },
		"Identity":        func() error { _, _, err := wrong.Identity(keys); return err },
		"Entries":         func() error { _, err := wrong.Entries(); return err },
		"CheckPassphrase": wrong.CheckPassphrase,
	}
	for name, call := range checks {
		if err := call(); !errors.Is(err, ErrBadPassphrase) {
			t.Errorf("%s with the wrong passphrase: err = %v, want ErrBadPassphrase", name, err)
		}
	}
	if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("the keyring changed:\nbefore %v\nafter  %v", before, after)
	}
	mustHit(t)(right.Session("alice", ""))
	mustHit(t)(right.Role(devKey("direct")))
}

// snapshot maps every file of dir to its contents.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := os.ReadDir(dir)
	mustNoErr(t, err)
	m := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f.Name()))
		mustNoErr(t, err)
		m[f.Name()] = string(b)
	}
	return m
}

func TestCachePutRejectsLongLivedKeys(t *testing.T) {
	isolate(t)
	c := NewCache(newFileKeyring(t), nil)
	keys := Credentials{AccessKeyID: "AKIA", SecretAccessKey: "S"}
	if err := c.PutSession("b", SessionEntry{Credentials: keys, Identity: aliceID}); err == nil {
		t.Error("PutSession accepted long-lived keys")
	}
	if err := c.PutRole(devKey("direct"), RoleEntry{Credentials: keys, Identity: aliceID}); err == nil {
		t.Error("PutRole accepted long-lived keys")
	}
	if err := c.PutSession("b", SessionEntry{Credentials: tempCreds(time.Now().Add(time.Hour))}); err == nil {
		t.Error("PutSession accepted an empty identity")
	}
	if err := c.PutRole(RoleKey{Profile: "dev"}, RoleEntry{Credentials: tempCreds(time.Now().Add(time.Hour)), Identity: aliceID}); err == nil {
		t.Error("PutRole accepted a key without base profile and basis")
	}
}

const clearConfig = `[profile alice]
region = eu-west-1
[profile dev]
source_profile = alice
role_arn = arn:aws:iam::222233334444:role/dev
[profile deep]
source_profile = dev
role_arn = arn:aws:iam::222233334444:role/deep
[profile other]
source_profile = bob
role_arn = arn:aws:iam::222233334444:role/other
`

func TestCacheEntriesAndClear(t *testing.T) {
	isolate(t)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	kr := newFileKeyring(t)
	c := NewCache(kr, func() time.Time { return now })
	ks := NewKeyStore(kr)
	aliceKeys := Credentials{AccessKeyID: "AKIAALICE", SecretAccessKey: "S"}
	mustNoErr(t, ks.Set("alice", aliceKeys))
	mustNoErr(t, ks.Set("bob", Credentials{AccessKeyID: "AKIABOB", SecretAccessKey: "S"}))
	cfg, err := ParseConfig([]byte(clearConfig), "config")
	mustNoErr(t, err)
	exp1, exp2 := now.Add(time.Hour), now.Add(2*time.Hour)
	key := func(profile, base, basis string) RoleKey {
		return RoleKey{Profile: profile, Base: base, RoleARNs: []string{"arn:aws:iam::222233334444:role/" + profile}, Region: "eu-west-1", Basis: basis}
	}
	bobID := Identity{ARN: "arn:aws:iam::111122223333:user/bob", Account: "111122223333", UserID: "AIDABOB", Name: "bob"}
	mustNoErr(t, c.PutSession("alice", SessionEntry{Credentials: tempCreds(exp1), Identity: aliceID, MFASerial: "arn:aws:iam::111122223333:mfa/alice"}))
	mustNoErr(t, c.PutSession("bob", SessionEntry{Credentials: tempCreds(exp1), Identity: bobID}))
	mustNoErr(t, c.PutRole(key("dev", "alice", "direct"), RoleEntry{Credentials: tempCreds(exp2), RoleARN: "arn:aws:iam::222233334444:role/dev", Identity: aliceID}))
	mustNoErr(t, c.PutRole(key("dev", "alice", "apr-1"), RoleEntry{Credentials: tempCreds(exp2), Identity: aliceID}))
	mustNoErr(t, c.PutRole(key("deep", "alice", "direct"), RoleEntry{Credentials: tempCreds(exp2), Identity: aliceID}))
	mustNoErr(t, c.PutRole(key("other", "bob", "bg-1"), RoleEntry{Credentials: tempCreds(exp1), Identity: bobID}))
	mustNoErr(t, c.PutIdentity(aliceKeys, aliceID))
	// A damaged entry is left out of the listing (and deleted).
	mustNoErr(t, kr.Set(keyring.Item{Key: rolePrefixOf("junk") + "x", Data: []byte("{")}))

	got, err := c.Entries()
	mustNoErr(t, err)
	want := []CacheInfo{
		{Kind: KindRole, Profile: "deep", User: "alice", Basis: "direct", Expires: exp2},
		{Kind: KindRole, Profile: "dev", User: "alice", Basis: "apr-1", Expires: exp2},
		{Kind: KindRole, Profile: "dev", User: "alice", Basis: "direct", RoleARN: "arn:aws:iam::222233334444:role/dev", Expires: exp2},
		{Kind: KindRole, Profile: "other", User: "bob", Basis: "bg-1", Expires: exp1},
		{Kind: KindSession, Profile: "alice", User: "alice", MFA: true, Expires: exp1},
		{Kind: KindSession, Profile: "bob", User: "bob", Expires: exp1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Entries =\n%+v\nwant\n%+v", got, want)
	}

	// Clearing alice removes her session and everything whose chain ends
	// at her keys (dev, and deep through dev), nothing of bob's, and no
	// identity.
	n, err := c.ClearDerived(cfg, ks.Has, "alice")
	mustNoErr(t, err)
	if n != 4 {
		t.Errorf("ClearDerived(alice) removed %d items, want 4", n)
	}
	got, _ = c.Entries()
	var left []string
	for _, e := range got {
		left = append(left, e.Kind+":"+e.Profile)
	}
	sort.Strings(left)
	if !reflect.DeepEqual(left, []string{"role:other", "session:bob"}) {
		t.Fatalf("after ClearDerived(alice): %v", left)
	}
	mustHit(t)(c.Identity(aliceKeys))
	if n, err := c.ClearDerived(cfg, ks.Has, "nothing-cached"); n != 0 || err != nil {
		t.Errorf("ClearDerived(nothing-cached) = %d, %v", n, err)
	}

	n, err = c.ClearAll()
	mustNoErr(t, err)
	if n != 3 {
		t.Errorf("ClearAll removed %d items, want 3 (bob's session and role, alice's identity)", n)
	}
	got, _ = c.Entries()
	if len(got) != 0 {
		t.Fatalf("after ClearAll: %+v", got)
	}
	// Clearing the cache never touches the long-lived keys.
	if !ks.Has("alice") || !ks.Has("bob") {
		t.Error("clearing removed long-lived keys")
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
			if err := c.PutRole(devKey("direct"), e); err != nil {
				t.Error(err)
			}
			_, _, _ = c.Role(devKey("direct"))
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
	if err := c.PutRole(devKey("direct"), RoleEntry{Credentials: tempCreds(exp)}); err == nil {
		t.Error("PutRole accepted an entry without the caller's identity")
	}
	mustNoErr(t, c.PutRole(devKey("direct"), RoleEntry{Credentials: tempCreds(exp), Identity: aliceID}))
	if got := mustHit(t)(c.Role(devKey("direct"))).(RoleEntry); got.Identity != aliceID {
		t.Errorf("Role = %+v; want the identity back", got)
	}
}
