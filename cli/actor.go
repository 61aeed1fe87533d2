package cli

import (
	"context"

	"github.com/sentinel-cli/sentinel/broker"
)

// actorBroker wires the broker and establishes who is acting, from STS,
// with the base credentials of profile ("" means identity_profile from the
// config, or --identity-profile).
func (g *Globals) actorBroker(profile string) (*broker.Broker, *broker.Actor, func(), error) {
	if profile == "" {
		cfg, err := g.Config()
		if err != nil {
			return nil, nil, nil, err
		}
		profile = cfg.IdentityProfile
		if g.IdentityProfile != "" {
			profile = g.IdentityProfile
		}
	}
	b, closeBroker, err := g.newBroker()
	if err != nil {
		return nil, nil, nil, err
	}
	a, err := b.Identify(context.Background(), profile)
	if err != nil {
		closeBroker()
		return nil, nil, nil, err
	}
	g.Debugf("acting as %s (%s) via profile %s", a.Identity.Name, a.Identity.ARN, profile)
	return b, a, closeBroker, nil
}
