package vault

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestKeyStoreRoundTrip(t *testing.T) {
	isolate(t)
	ks := NewKeyStore(newFileKeyring(t))
	profiles := []string{"dev", "with space", "slash/and:colon", "ünïcode", "..", "100%"}
	for i, p := range profiles {
		c := Credentials{AccessKeyID: "AKIA" + strings.Repeat("X", i+1), SecretAccessKey: "secret-" + p}
		if err := ks.Set(p, c); err != nil {
			t.Fatalf("Set(%q): %v", p, err)
		}
		got, err := ks.Get(p)
		if err != nil || got != c {
			t.Fatalf("Get(%q) = %v, %v", p, got, err)
		}
		if !ks.Has(p) {
			t.Errorf("Has(%q) = false", p)
		}
	}
	got, err := ks.Profiles()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"..", "100%", "dev", "slash/and:colon", "with space", "ünïcode"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Profiles = %q, want %q", got, want)
	}
	if ks.Has("nope") {
		t.Error("Has(nope) = true")
	}
	if _, err := ks.Get("nope"); !errors.Is(err, ErrNoKeys) {
		t.Errorf("Get(nope): err = %v, want ErrNoKeys", err)
	}
}

func TestKeyStoreSetRejects(t *testing.T) {
	isolate(t)
	ks := NewKeyStore(newFileKeyring(t))
	tests := []struct {
		name    string
		profile string
		c       Credentials
	}{
		{"no profile", "", Credentials{AccessKeyID: "A", SecretAccessKey: "S"}},
		{"no key ID", "p", Credentials{SecretAccessKey: "S"}},
		{"no secret", "p", Credentials{AccessKeyID: "A"}},
		{"temporary", "p", Credentials{AccessKeyID: "A", SecretAccessKey: "S", SessionToken: "T"}},
		{"expiring", "p", Credentials{AccessKeyID: "A", SecretAccessKey: "S", Expires: time.Now()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ks.Set(tt.profile, tt.c); err == nil {
				t.Error("Set succeeded")
			}
		})
	}
}

func TestKeyStoreRemoveClearsCache(t *testing.T) {
	isolate(t)
	kr := newFileKeyring(t)
	ks := NewKeyStore(kr)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	cache := NewCache(kr, func() time.Time { return now })
	keys := Credentials{AccessKeyID: "AKIADEV", SecretAccessKey: "s"}
	if err := ks.Set("dev", keys); err != nil {
		t.Fatal(err)
	}
	if err := ks.Set("prod", Credentials{AccessKeyID: "AKIAPROD", SecretAccessKey: "s"}); err != nil {
		t.Fatal(err)
	}
	temp := Credentials{AccessKeyID: "ASIA1", SecretAccessKey: "s", SessionToken: "t", Expires: now.Add(time.Hour)}
	id := Identity{ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333", UserID: "AIDA", Name: "alice"}
	mustNoErr(t, cache.PutSession("dev", SessionEntry{Credentials: temp, Identity: id}))
	mustNoErr(t, cache.PutRole(RoleKey{Profile: "dev", Base: "dev", Basis: "direct"}, RoleEntry{Credentials: temp, RoleARN: "arn:aws:iam::1:role/r", Identity: aliceID}))
	mustNoErr(t, cache.PutIdentity(keys, id))
	mustNoErr(t, cache.PutSession("prod", SessionEntry{Credentials: temp, Identity: id}))

	if err := ks.Remove("dev"); err != nil {
		t.Fatal(err)
	}
	if ks.Has("dev") {
		t.Error("keys of dev still there")
	}
	if _, ok, _ := cache.Session("dev", ""); ok {
		t.Error("session of dev still cached")
	}
	if _, ok, _ := cache.Role(RoleKey{Profile: "dev", Base: "dev", Basis: "direct"}); ok {
		t.Error("role credentials of dev still cached")
	}
	if _, ok, _ := cache.Identity(keys); ok {
		t.Error("identity of dev's keys still cached")
	}
	if _, ok, _ := cache.Session("prod", ""); !ok {
		t.Error("session of prod was removed too")
	}
	if err := ks.Remove("dev"); !errors.Is(err, ErrNoKeys) {
		t.Errorf("second Remove: err = %v, want ErrNoKeys", err)
	}
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
