package cli

import (
	"context"

	"github.com/sentinel-cli/sentinel/broker"
)

// identityProfile is whose base credentials identify the person: profile
// when given, else --identity-profile, else identity_profile in the config
// (default "default").
func (g *Globals) identityProfile(profile string) string {
	if profile != "" {
		return profile
	}
	if g.IdentityProfile != "" {
		return g.IdentityProfile
	}
	if cfg, err := g.Config(); err == nil {
		return cfg.IdentityProfile
	}
	return "default"
}

// actorBroker wires the broker and establishes who is acting, from STS,
// with the base credentials of profile ("" means identity_profile from the
// config, or --identity-profile).
func (g *Globals) actorBroker(ctx context.Context, profile string) (*broker.Broker, *broker.Actor, func(), error) {
	cfg, err := g.Config()
	if err != nil {
		return nil, nil, nil, err
	}
	profile = g.identityProfile(profile)
	b, closeBroker, err := g.newBroker()
	if err != nil {
		return nil, nil, nil, err
	}
	if err := g.wireNotify(b, cfg.Notify); err != nil {
		closeBroker()
		return nil, nil, nil, err
	}
	a, err := b.Identify(ctx, profile)
	if err != nil {
		closeBroker()
		return nil, nil, nil, err
	}
	g.Debugf("acting as %s (%s) via profile %s", a.Identity.Name, a.Identity.ARN, profile)
	return b, a, closeBroker, nil
}
