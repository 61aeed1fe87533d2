package vault

import (
	"cmp"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/byteness/keyring"
)

// ReuseMargin is how long cached credentials must still be valid to be
// handed out again: a caller given credentials that expire within seconds
// would fail half-way through its work.
const ReuseMargin = 5 * time.Minute

// IdentityMaxAge is how long a cached caller identity is trusted before it
// is asked of STS again, even when the keys have not changed: an IAM user
// can be renamed or its keys moved, and the answer must not live for ever.
const IdentityMaxAge = 12 * time.Hour

// identityClockSkew is how far in the future a cached identity's fetch
// time may be before the entry is distrusted (clocks move backwards).
const identityClockSkew = 5 * time.Minute

// Kinds of cache entries, as CacheInfo.Kind reports them.
const (
	KindSession = "session"
	KindRole    = "role"
)

// Cache keeps short-lived credentials and caller identities in the keyring,
// next to the long-lived keys but under other item names.
//
// An entry that was decrypted but does not decode, or does not match what
// was asked for, is a miss (and is deleted or overwritten). An entry that
// cannot be decrypted at all is an error matching ErrBadPassphrase, and
// nothing is deleted: with a wrong passphrase every item looks like that,
// and deleting them would destroy the cache of the right passphrase.
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
	// MFASerial is the MFA device the session was obtained with; empty
	// when it was obtained without MFA.
	MFASerial string
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
	// BlockCheckedAt is when the store last said that Identity's person
	// had no block in force; zero when no check was recorded. A warm hit
	// may rely on a check at most five minutes old instead of reading the
	// store again.
	BlockCheckedAt time.Time
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
	// RoleARN is the last role of the chain (empty for sessions).
	RoleARN string
	// MFA is true when the credentials were obtained with an MFA code.
	MFA bool
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
	return storedCreds(c)
}

func (s storedCreds) credentials() Credentials {
	return Credentials(s)
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

// storedKeyIdentity is the item that caches who long-lived keys belong to.
type storedKeyIdentity struct {
	Identity storedIdentity `json:"identity"`
	// Binding is keyBinding of the keys the identity was fetched with.
	Binding string `json:"binding"`
	// FetchedAt is when STS gave the answer.
	FetchedAt time.Time `json:"fetched_at"`
}

type storedSession struct {
	Profile     string         `json:"profile"`
	Credentials storedCreds    `json:"credentials"`
	Identity    storedIdentity `json:"identity"`
	// MFASerial is the device the session was obtained with ("" = none).
	MFASerial string `json:"mfa_serial"`
}

type storedRole struct {
	// Key is the whole cache key, compared on every read: the item name
	// holds only its hash.
	Key            RoleKey        `json:"key"`
	User           string         `json:"user"`
	Credentials    storedCreds    `json:"credentials"`
	RoleARN        string         `json:"role_arn"`
	SourceIdentity string         `json:"source_identity"`
	RequestID      string         `json:"request_id"`
	Identity       storedIdentity `json:"identity"`
	BlockCheckedAt time.Time      `json:"block_checked_at,omitzero"`
}

// Session returns the cached session credentials of base profile, for a
// profile whose chain needs mfaSerial ("" = none). A session obtained
// without MFA, or with another device, never serves a profile that needs
// one. It misses (and deletes the entry) when the entry is damaged or has
// less than ReuseMargin left; it fails when the entry cannot be decrypted.
func (c *Cache) Session(base, mfaSerial string) (SessionEntry, bool, error) {
	var s storedSession
	creds, id, found, err := c.loadLive(sessionItem(base), &s, &s.Credentials, &s.Identity, func(Identity) bool { return s.Profile == base })
	if !found || err != nil {
		return SessionEntry{}, false, err
	}
	if mfaSerial != "" && s.MFASerial != mfaSerial {
		return SessionEntry{}, false, nil
	}
	return SessionEntry{Credentials: creds, Identity: id, MFASerial: s.MFASerial}, true, nil
}

// PutSession caches the session credentials of base profile.
func (c *Cache) PutSession(base string, e SessionEntry) error {
	s := storedSession{
		Profile:     base,
		Credentials: toStored(e.Credentials),
		Identity:    storedIdentity(e.Identity),
		MFASerial:   e.MFASerial,
	}
	if !s.Credentials.valid() {
		return fmt.Errorf("cache session of profile %q: not temporary credentials", base)
	}
	if _, ok := s.Identity.identity(); !ok {
		return fmt.Errorf("cache session of profile %q: identity %q is not a caller ARN", base, e.Identity.ARN)
	}
	return c.store(sessionItem(base), "sentinel session: "+base, s)
}

// Identity returns the cached identity of the long-lived keys. It misses
// when there is none, when the entry does not decode, when it was fetched
// with other keys (its binding differs, whatever the item is named) and
// when it is older than IdentityMaxAge: the caller then asks STS again and
// overwrites it. It fails when the entry cannot be decrypted.
func (c *Cache) Identity(keys Credentials) (Identity, bool, error) {
	var s storedKeyIdentity
	found, err := c.load(identityItem(keys.AccessKeyID), &s)
	if !found || err != nil {
		return Identity{}, false, err
	}
	if subtle.ConstantTimeCompare([]byte(s.Binding), []byte(keyBinding(keys))) != 1 {
		return Identity{}, false, nil
	}
	now := c.now()
	if s.FetchedAt.IsZero() || now.Sub(s.FetchedAt) >= IdentityMaxAge || s.FetchedAt.After(now.Add(identityClockSkew)) {
		return Identity{}, false, nil
	}
	id, ok := s.Identity.identity()
	if !ok {
		return Identity{}, false, nil
	}
	return id, true, nil
}

// PutIdentity caches the identity of the long-lived keys, as STS gave it
// now.
func (c *Cache) PutIdentity(keys Credentials, id Identity) error {
	if keys.AccessKeyID == "" || keys.SecretAccessKey == "" {
		return errors.New("cache identity: no keys given")
	}
	if _, ok := storedIdentity(id).identity(); !ok {
		return fmt.Errorf("cache identity: %q is not a caller ARN", id.ARN)
	}
	s := storedKeyIdentity{Identity: storedIdentity(id), Binding: keyBinding(keys), FetchedAt: c.now().UTC()}
	return c.store(identityItem(keys.AccessKeyID), "sentinel identity", s)
}

// Role returns the credentials cached under k. An access key belongs to
// one principal, so k (which names the base profile) can be looked up
// before the user is known. It misses (and deletes the entry) when the
// entry is damaged, was stored for another key or has less than
// ReuseMargin left; it fails when the entry cannot be decrypted.
func (c *Cache) Role(k RoleKey) (RoleEntry, bool, error) {
	var s storedRole
	creds, id, found, err := c.loadLive(roleItem(k), &s, &s.Credentials, &s.Identity, func(id Identity) bool {
		return s.Key.binding() == k.binding() && s.User == id.Name
	})
	if !found || err != nil {
		return RoleEntry{}, false, err
	}
	return RoleEntry{Credentials: creds, RoleARN: s.RoleARN, SourceIdentity: s.SourceIdentity, RequestID: s.RequestID, Identity: id, BlockCheckedAt: s.BlockCheckedAt}, true, nil
}

// HasRoleEntries reports whether any role credentials are cached for
// profile, under any key. It lists item names and decrypts nothing; the
// broker uses it to say, in debug output, that a miss is a changed key.
func (c *Cache) HasRoleEntries(profile string) bool {
	names, err := c.kr.Keys()
	if err != nil {
		return false
	}
	prefix := rolePrefixOf(profile)
	return slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, prefix) })
}

// PutRole caches credentials issued under k to e.Identity.
func (c *Cache) PutRole(k RoleKey, e RoleEntry) error {
	s := storedRole{
		Key:            k,
		User:           e.Identity.Name,
		Credentials:    toStored(e.Credentials),
		RoleARN:        e.RoleARN,
		SourceIdentity: e.SourceIdentity,
		RequestID:      e.RequestID,
		Identity:       storedIdentity(e.Identity),
		BlockCheckedAt: e.BlockCheckedAt.UTC(),
	}
	s.Key.RoleARNs, s.Key.ExternalIDs = nonNil(k.RoleARNs), nonNil(k.ExternalIDs)
	if k.Profile == "" || k.Base == "" || k.Basis == "" {
		return errors.New("cache role credentials: the key needs a profile, a base profile and a basis")
	}
	if !s.Credentials.valid() {
		return fmt.Errorf("cache role credentials of profile %q: not temporary credentials", k.Profile)
	}
	if _, ok := s.Identity.identity(); !ok {
		return fmt.Errorf("cache role credentials of profile %q: identity %q is not a caller ARN", k.Profile, e.Identity.ARN)
	}
	return c.store(roleItem(k), "sentinel role: "+k.Profile, s)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Entries lists the cached sessions and role credentials, without secrets,
// sorted by kind, profile, user and basis. Entries that decrypt but do not
// decode are deleted and left out; one that cannot be decrypted is an
// error (see Cache).
func (c *Cache) Entries() ([]CacheInfo, error) {
	names, err := c.kr.Keys()
	if err != nil {
		return nil, err
	}
	var out []CacheInfo
	for _, n := range names {
		switch {
		case strings.HasPrefix(n, sessionPrefix):
			s, err := loadValid(c, n, func(s *storedSession) bool { return s.Credentials.valid() })
			if err != nil {
				return nil, err
			}
			if s != nil {
				out = append(out, CacheInfo{Kind: KindSession, Profile: s.Profile, User: s.Identity.Name, MFA: s.MFASerial != "", Expires: s.Credentials.Expires})
			}
		case strings.HasPrefix(n, rolePrefix):
			s, err := loadValid(c, n, func(s *storedRole) bool { return s.Credentials.valid() && s.Key.Profile != "" })
			if err != nil {
				return nil, err
			}
			if s != nil {
				out = append(out, CacheInfo{Kind: KindRole, Profile: s.Key.Profile, User: s.User, Basis: s.Key.Basis, RoleARN: s.RoleARN, MFA: s.Key.MFASerial != "", Expires: s.Credentials.Expires})
			}
		}
	}
	slices.SortFunc(out, func(a, b CacheInfo) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Profile, b.Profile), cmp.Compare(a.User, b.User), cmp.Compare(a.Basis, b.Basis))
	})
	return out, nil
}

// loadValid loads the item key as a T: nil when there is none, or when it
// does not decode or fails valid (it is then deleted); an error as load.
func loadValid[T any](c *Cache, key string, valid func(*T) bool) (*T, error) {
	v := new(T)
	found, err := c.load(key, v)
	if err != nil || !found {
		return nil, err
	}
	if !valid(v) {
		c.drop(key)
		return nil, nil
	}
	return v, nil
}

// load reads the item key into v. found is false when there is no such
// item, or when it decrypted but did not decode (it is then deleted). err
// is set when the item cannot be read: undecryptable (ErrBadPassphrase),
// the keyring locked, or the backend failing; nothing is deleted then.
func (c *Cache) load(key string, v any) (found bool, err error) {
	item, err := c.kr.Get(key)
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(item.Data, v); err != nil {
		c.drop(key)
		return false, nil
	}
	return true, nil
}

// loadLive loads the entry under key into s, whose credentials and
// identity fields creds and ident point to, and returns them. It misses
// (and deletes the entry) when the entry is damaged (an identity that is
// not a caller ARN, credentials that are not temporary), was stored under
// another key (fits, given the identity, says false) or has less than
// ReuseMargin left; it fails when the entry cannot be decrypted.
func (c *Cache) loadLive(key string, s any, creds *storedCreds, ident *storedIdentity, fits func(Identity) bool) (Credentials, Identity, bool, error) {
	found, err := c.load(key, s)
	if !found || err != nil {
		return Credentials{}, Identity{}, false, err
	}
	id, ok := ident.identity()
	if !ok || !creds.valid() || !fits(id) {
		c.drop(key)
		return Credentials{}, Identity{}, false, nil
	}
	live := creds.credentials()
	if live.Expired(c.now(), ReuseMargin) {
		c.drop(key)
		return Credentials{}, Identity{}, false, nil
	}
	return live, id, true, nil
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
