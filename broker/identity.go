package broker

import (
	"context"
	"fmt"

	"github.com/sentinel-cli/sentinel/vault"
)

// callerIdentity returns who the base credentials of the chain belong to,
// as STS GetCallerIdentity says. The answer is cached bound to the exact
// keys and for at most vault.IdentityMaxAge; an entry that does not match
// the keys is asked of STS again. (The warm path does not even get here:
// cached credentials carry the identity they were issued to.)
func (b *Broker) callerIdentity(ctx context.Context, chain *vault.Chain) (vault.Identity, error) {
	if chain.SSO != nil {
		e, _, err := b.ssoBase(ctx, chain, chain.Region)
		return e.Identity, err
	}
	keys, err := b.baseKeys(ctx, chain.Base.Name)
	if err != nil {
		return vault.Identity{}, err
	}
	// The keys were just decrypted, so the passphrase is right: an
	// identity item that cannot be read is damaged or half-written by a
	// concurrent run, and is asked of STS again and replaced.
	id, ok, err := b.Cache.Identity(keys)
	if err != nil {
		b.debugf("cache: identity of profile %s cannot be read (%v): asking STS", chain.Base.Name, err)
	}
	if ok && err == nil {
		return id, nil
	}
	client, err := b.stsClient(ctx, chain.Region, keys)
	if err != nil {
		return vault.Identity{}, err
	}
	id, err = client.GetCallerIdentity(ctx)
	if err != nil {
		return vault.Identity{}, fmt.Errorf("identify the caller of profile %s: %w", chain.Base.Name, keysOf(err, chain.Base.Name))
	}
	if err := b.Cache.PutIdentity(keys, id); err != nil {
		b.debugf("identity not cached: %v", err)
	}
	return id, nil
}

// baseKeys reads the long-lived keys of a base profile. A missing profile
// is a *vault.MissingKeysError; the cli says what to do about it.
func (b *Broker) baseKeys(ctx context.Context, base string) (vault.Credentials, error) {
	if b.BaseCredentials != nil {
		// The team service: its own credentials, never a keyring.
		return b.BaseCredentials(ctx)
	}
	return b.Keys.Get(base)
}
