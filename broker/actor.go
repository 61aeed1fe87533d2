package broker

import (
	"context"

	"github.com/sentinel-cli/sentinel/vault"
)

// Actor is a person established from STS, with the profile whose base
// credentials identified them (and sign store calls).
type Actor struct {
	Identity vault.Identity
	chain    *vault.Chain
}

// Identify establishes who the base credentials of profile belong to,
// exactly as the credential flow does: from STS GetCallerIdentity (cached),
// never from a flag or the environment.
func (b *Broker) Identify(ctx context.Context, profile string) (*Actor, error) {
	chain, err := vault.ResolveChain(b.Profiles, profile, b.Keys.Has)
	if err != nil {
		return nil, err
	}
	id, err := b.callerIdentity(ctx, chain)
	if err != nil {
		return nil, err
	}
	return &Actor{Identity: id, chain: chain}, nil
}

// openStores opens the shared state, signing remote calls with the actor's
// base keys.
func (b *Broker) openStores(ctx context.Context, a *Actor) (Stores, error) {
	if b.OpenStores == nil {
		return nil, errNoStore
	}
	return b.OpenStores(ctx, b.Signer(a))
}

// NewActor is a person whose identity the door has already proven (the
// team service verifies a signed proof). Store calls made for them are
// signed with the broker's BaseCredentials.
func NewActor(id vault.Identity) *Actor {
	return &Actor{Identity: id}
}

// Signer signs calls to a remote store with the base keys that identified
// the actor; the keys are read only when a call needs them.
func (b *Broker) Signer(a *Actor) Signer {
	if a.chain == nil {
		// A proven actor has no keys here: store calls are signed with the
		// broker's own credentials, and fail without them.
		return func(ctx context.Context) (vault.Credentials, error) {
			if b.BaseCredentials == nil {
				return vault.Credentials{}, errNoBaseCredentials
			}
			return b.BaseCredentials(ctx)
		}
	}
	return b.signerFor(a.chain)
}
