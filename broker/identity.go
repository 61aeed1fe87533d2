package broker

import (
	"context"
	"fmt"

	"github.com/sentinel-cli/sentinel/vault"
)

// callerIdentity returns who the base credentials of the chain belong to,
// as STS GetCallerIdentity says. The answer is cached under the (hashed)
// access key ID: an access key belongs to one principal for life, and new
// keys are identified afresh. (The warm path does not even get here: cached
// credentials carry the identity they were issued to.)
func (b *Broker) callerIdentity(ctx context.Context, chain *vault.Chain) (vault.Identity, error) {
	keys, err := b.baseKeys(chain.Base.Name)
	if err != nil {
		return vault.Identity{}, err
	}
	if id, ok := b.Cache.Identity(keys.AccessKeyID); ok {
		return id, nil
	}
	client, err := vault.NewSTS(ctx, chain.Region, keys)
	if err != nil {
		return vault.Identity{}, err
	}
	id, err := client.GetCallerIdentity(ctx)
	if err != nil {
		return vault.Identity{}, fmt.Errorf("identify the caller of profile %s: %w", chain.Base.Name, err)
	}
	if err := b.Cache.PutIdentity(keys.AccessKeyID, id); err != nil {
		b.debugf("identity not cached: %v", err)
	}
	return id, nil
}

// baseKeys reads the long-lived keys of a base profile. vault's errors
// already say what to do (run `sentinel add`).
func (b *Broker) baseKeys(base string) (vault.Credentials, error) {
	return b.Keys.Get(base)
}
