package broker

import (
	"context"
	"fmt"

	"github.com/sentinel-cli/sentinel/vault"
)

// callerIdentity returns who the base credentials of the chain belong to,
// as STS GetCallerIdentity says. The answer is kept with the keys in the
// keyring (an access key belongs to one principal for life), so a warm call
// asks STS nothing and costs one keyring read; new keys are identified
// afresh.
func (b *Broker) callerIdentity(ctx context.Context, chain *vault.Chain) (vault.Identity, error) {
	base := chain.Base.Name
	keys, id, ok, err := b.Keys.GetIdentified(base)
	if err != nil {
		return vault.Identity{}, err
	}
	if ok {
		return id, nil
	}
	client, err := vault.NewSTS(ctx, chain.Region, keys)
	if err != nil {
		return vault.Identity{}, err
	}
	id, err = client.GetCallerIdentity(ctx)
	if err != nil {
		return vault.Identity{}, fmt.Errorf("identify the caller of profile %s: %w", base, err)
	}
	if err := b.Keys.SetIdentity(base, keys, id); err != nil {
		b.debugf("identity not recorded: %v", err)
	}
	return id, nil
}

// baseKeys reads the long-lived keys of a base profile. vault's errors
// already say what to do (run `sentinel add`).
func (b *Broker) baseKeys(base string) (vault.Credentials, error) {
	return b.Keys.Get(base)
}
