package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/byteness/keyring"
)

// ReuseMargin is how long cached credentials must still be valid to be
// handed out again: a caller given credentials that expire within seconds
// would fail half-way through its work.
const ReuseMargin = 5 * time.Minute

// Kinds of cache entries, as CacheInfo.Kind reports them.
const (
	KindSession = "session"
	KindRole    = "role"
)

// Cache keeps short-lived credentials and caller identities in the keyring,
// next to the long-lived keys but under other item names. A damaged entry is
// never an error: it is deleted and reported as a miss, so that the
// credentials are fetched again.
type Cache struct {
	kr  keyring.Keyring
	now func() time.Time
}

// NewCache returns a Cache over kr that reads the time from now (nil means
// time.Now).
func NewCache(kr keyring.Keyring, now func() time.Time) *Cache {
	if now == nil {
		now = time.Now
	}
	return &Cache{kr: kr, now: now}
}

// SessionEntry is a base profile's cached GetSessionToken credentials and
// who they belong to.
type SessionEntry struct {
	Credentials Credentials
	Identity    Identity
}

// RoleEntry is cached AssumeRole credentials (or the session-token
// credentials of a profile without a role), what they were issued for, and
// who they were issued to.
type RoleEntry struct {
	Credentials    Credentials
	RoleARN        string
	SourceIdentity string
	RequestID      string
	// Identity is who the base keys belong to, as STS said. Keeping it
	// here lets the credential_process warm path decide with one keyring
	// read.
	Identity Identity
}

// CacheInfo describes a cache entry without its secrets, for listings.
type CacheInfo struct {
	// Kind is KindSession or KindRole.
	Kind string
	// Profile is the base profile (sessions) or the target profile (roles).
	Profile string
	// User is who the credentials were issued to.
	User string
	// Basis is why role credentials were issued (empty for sessions).
	Basis string
	// Expires is when the credentials stop working.
	Expires time.Time
}

// storedCreds is the JSON form of temporary credentials inside an item.
// Credentials itself marshals to a redacted string, so the fields are
// copied out explicitly here.
type storedCreds struct {
	AccessKeyID     string    `json:"access_key_id"`
	SecretAccessKey string    `json:"secret_access_key"`
	SessionToken    string    `json:"session_token"`
	Expires         time.Time `json:"expires"`
}

func toStored(c Credentials) storedCreds {
	return storedCreds{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expires: c.Expires}
}

func (s storedCreds) credentials() Credentials {
	return Credentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey, SessionToken: s.SessionToken, Expires: s.Expires}
}

// valid reports whether the stored credentials are complete temporary
// credentials.
func (s storedCreds) valid() bool {
	return s.AccessKeyID != "" && s.SecretAccessKey != "" && s.SessionToken != "" && !s.Expires.IsZero()
}

type storedIdentity struct {
	ARN     string `json:"arn"`
	Account string `json:"account"`
	UserID  string `json:"user_id"`
	Name    string `json:"name"`
}

func (s storedIdentity) identity() (Identity, bool) {
	id, err := ParseIdentity(s.ARN, s.Account, s.UserID)
	if err != nil || id.Name != s.Name {
		return Identity{}, false
	}
	return id, true
}

type storedSession struct {
	Profile     string         `json:"profile"`
	Credentials storedCreds    `json:"credentials"`
	Identity    storedIdentity `json:"identity"`
}

type storedRole struct {
	Profile        string         `json:"profile"`
	Base           string         `json:"base"`
	User           string         `json:"user"`
	Basis          string         `json:"basis"`
	Credentials    storedCreds    `json:"credentials"`
	RoleARN        string         `json:"role_arn"`
	SourceIdentity string         `json:"source_identity"`
	RequestID      string         `json:"request_id"`
	Identity       storedIdentity `json:"identity"`
}

// Session returns the cached session credentials of base profile. It misses
// (and deletes the entry) when the entry is damaged or has less than
// ReuseMargin left.
func (c *Cache) Session(base string) (SessionEntry, bool) {
	key := sessionItem(base)
	var s storedSession
	if !c.load(key, &s) {
		return SessionEntry{}, false
	}
	id, ok := s.Identity.identity()
	if !ok || !s.Credentials.valid() || s.Profile != base {
		c.drop(key)
		return SessionEntry{}, false
	}
	creds := s.Credentials.credentials()
	if creds.Expired(c.now(), ReuseMargin) {
		c.drop(key)
		return SessionEntry{}, false
	}
	return SessionEntry{Credentials: creds, Identity: id}, true
}

// PutSession caches the session credentials of base profile.
func (c *Cache) PutSession(base string, e SessionEntry) error {
	s := storedSession{
		Profile:     base,
		Credentials: toStored(e.Credentials),
		Identity:    storedIdentity(e.Identity),
	}
	if !s.Credentials.valid() {
		return fmt.Errorf("cache session of profile %q: not temporary credentials", base)
	}
	if _, ok := s.Identity.identity(); !ok {
		return fmt.Errorf("cache session of profile %q: identity %q is not a caller ARN", base, e.Identity.ARN)
	}
	return c.store(sessionItem(base), "sentinel session: "+base, s)
}

// Identity returns the cached identity of long-lived keys.
func (c *Cache) Identity(accessKeyID string) (Identity, bool) {
	key := identityItem(accessKeyID)
	var s storedIdentity
	if !c.load(key, &s) {
		return Identity{}, false
	}
	id, ok := s.identity()
	if !ok {
		c.drop(key)
		return Identity{}, false
	}
	return id, true
}

// PutIdentity caches the identity of long-lived keys.
func (c *Cache) PutIdentity(accessKeyID string, id Identity) error {
	if accessKeyID == "" {
		return errors.New("cache identity: no access key ID given")
	}
	if _, ok := storedIdentity(id).identity(); !ok {
		return fmt.Errorf("cache identity: %q is not a caller ARN", id.ARN)
	}
	return c.store(identityItem(accessKeyID), "sentinel identity", storedIdentity(id))
}

// Role returns the credentials cached for profile, issued from the keys of
// base profile, on the given basis. An access key belongs to one principal,
// so (profile, base, basis) names the same thing as (profile, user, basis),
// and the entry can be found before the user is known. It misses (and
// deletes the entry) when the entry is damaged or has less than
// ReuseMargin left.
func (c *Cache) Role(profile, base, basis string) (RoleEntry, bool) {
	key := roleItem(profile, base, basis)
	var s storedRole
	if !c.load(key, &s) {
		return RoleEntry{}, false
	}
	id, idOK := s.Identity.identity()
	if !s.Credentials.valid() || !idOK || s.Profile != profile || s.Base != base || s.Basis != basis || s.User != id.Name {
		c.drop(key)
		return RoleEntry{}, false
	}
	creds := s.Credentials.credentials()
	if creds.Expired(c.now(), ReuseMargin) {
		c.drop(key)
		return RoleEntry{}, false
	}
	return RoleEntry{Credentials: creds, RoleARN: s.RoleARN, SourceIdentity: s.SourceIdentity, RequestID: s.RequestID, Identity: id}, true
}

// PutRole caches credentials issued for profile from the keys of base
// profile, on basis, to e.Identity.
func (c *Cache) PutRole(profile, base, basis string, e RoleEntry) error {
	s := storedRole{
		Profile:        profile,
		Base:           base,
		User:           e.Identity.Name,
		Basis:          basis,
		Credentials:    toStored(e.Credentials),
		RoleARN:        e.RoleARN,
		SourceIdentity: e.SourceIdentity,
		RequestID:      e.RequestID,
		Identity:       storedIdentity(e.Identity),
	}
	if !s.Credentials.valid() {
		return fmt.Errorf("cache role credentials of profile %q: not temporary credentials", profile)
	}
	if _, ok := s.Identity.identity(); !ok {
		return fmt.Errorf("cache role credentials of profile %q: identity %q is not a caller ARN", profile, e.Identity.ARN)
	}
	return c.store(roleItem(profile, base, basis), "sentinel role: "+profile, s)
}

// Entries lists the cached sessions and role credentials, without secrets,
// sorted by kind, profile, user and basis. Damaged entries are deleted and
// left out.
func (c *Cache) Entries() ([]CacheInfo, error) {
	names, err := c.kr.Keys()
	if err != nil {
		return nil, err
	}
	var out []CacheInfo
	for _, n := range names {
		switch {
		case strings.HasPrefix(n, sessionPrefix):
			var s storedSession
			if !c.load(n, &s) {
				continue
			}
			if !s.Credentials.valid() {
				c.drop(n)
				continue
			}
			out = append(out, CacheInfo{Kind: KindSession, Profile: s.Profile, User: s.Identity.Name, Expires: s.Credentials.Expires})
		case strings.HasPrefix(n, rolePrefix):
			var s storedRole
			if !c.load(n, &s) {
				continue
			}
			if !s.Credentials.valid() {
				c.drop(n)
				continue
			}
			out = append(out, CacheInfo{Kind: KindRole, Profile: s.Profile, User: s.User, Basis: s.Basis, Expires: s.Credentials.Expires})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Profile != b.Profile {
			return a.Profile < b.Profile
		}
		if a.User != b.User {
			return a.User < b.User
		}
		return a.Basis < b.Basis
	})
	return out, nil
}

// Clear deletes the cached session and role credentials of profile. An
// empty profile clears every cached entry, identities included.
func (c *Cache) Clear(profile string) error {
	if profile == "" {
		names, err := c.kr.Keys()
		if err != nil {
			return err
		}
		for _, n := range names {
			if strings.HasPrefix(n, sessionPrefix) || strings.HasPrefix(n, rolePrefix) || strings.HasPrefix(n, identityPrefix) {
				if err := removeItem(c.kr, n); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return clearProfile(c.kr, profile)
}

// clearProfile deletes the session and role items of one profile.
func clearProfile(kr keyring.Keyring, profile string) error {
	if err := removeItem(kr, sessionItem(profile)); err != nil {
		return err
	}
	names, err := kr.Keys()
	if err != nil {
		return err
	}
	prefix := rolePrefixOf(profile)
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			if err := removeItem(kr, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// removeItem deletes an item; one already gone is not an error.
func removeItem(kr keyring.Keyring, key string) error {
	err := kr.Remove(key)
	if err != nil && !errors.Is(err, keyring.ErrKeyNotFound) {
		return fmt.Errorf("remove cache entry %s: %w", key, err)
	}
	return nil
}

// load reads the item key into v. Any failure is a miss; a damaged item
// (undecryptable or not the expected JSON) is deleted. A locked keyring is
// a miss without deletion: the item may be fine.
func (c *Cache) load(key string, v any) bool {
	item, err := c.kr.Get(key)
	if err != nil {
		if errors.Is(err, ErrUndecryptable) {
			c.drop(key)
		}
		return false
	}
	if err := json.Unmarshal(item.Data, v); err != nil {
		c.drop(key)
		return false
	}
	return true
}

// drop deletes a damaged or stale item. A failure to delete is ignored: the
// entry is a miss either way and will be overwritten when refetched.
func (c *Cache) drop(key string) {
	_ = c.kr.Remove(key)
}

// store writes v as JSON into item key.
func (c *Cache) store(key, label string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("cache entry %s: %w", key, err)
	}
	if err := c.kr.Set(keyring.Item{Key: key, Data: data, Label: label, Description: "sentinel credential cache"}); err != nil {
		return fmt.Errorf("cache entry %s: %w", key, err)
	}
	return nil
}
