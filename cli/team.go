package cli

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sentinel-cli/sentinel/teamclient"
	"github.com/sentinel-cli/sentinel/vault"
)

// teamClient is the client of the team service named in the config. Its
// proofs are signed with the long-lived keys of profile's base profile
// ("" means the identity profile), read from the keyring once, on the
// first call that needs them. The STS endpoint it accepts besides AWS's
// own is the one this machine is configured with (AWS_ENDPOINT_URL_STS,
// read at start).
func (g *Globals) teamClient(profile string) (*teamclient.Client, error) {
	cfg, err := g.Config()
	if err != nil {
		return nil, err
	}
	env := environment()
	if env.stsErr != nil {
		return nil, env.stsErr
	}
	profile = g.identityProfile(profile)
	c, err := teamclient.New(teamclient.Options{
		URL:                 cfg.Server.URL,
		ServerID:            cfg.Server.ServerID,
		STSEndpointOverride: env.STS.Endpoint,
		Credentials:         aws.NewCredentialsCache(&proofKeys{g: g, profile: profile}),
		Debugf:              g.Debugf,
		Fallback:            g.warnRevokeFallback,
	})
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", cfg.Path(), err)
	}
	g.Debugf("team service %s (server_id %s), proofs signed by profile %s", cfg.Server.URL, cfg.Server.ServerID, profile)
	return c, nil
}

// proofKeys reads the keys that sign proofs: the long-lived keys of the
// profile's base profile in the keyring.
type proofKeys struct {
	g       *Globals
	profile string
	once    sync.Once
	keys    vault.Credentials
	err     error
}

// Retrieve implements aws.CredentialsProvider.
func (p *proofKeys) Retrieve(context.Context) (aws.Credentials, error) {
	p.once.Do(func() { p.keys, p.err = p.read() })
	if p.err != nil {
		return aws.Credentials{}, p.err
	}
	return aws.Credentials{
		AccessKeyID: p.keys.AccessKeyID, SecretAccessKey: p.keys.SecretAccessKey, SessionToken: p.keys.SessionToken,
		Source: "sentinel keyring",
	}, nil
}

func (p *proofKeys) read() (vault.Credentials, error) {
	b, err := p.g.identityBroker()
	if err != nil {
		return vault.Credentials{}, err
	}
	chain, err := vault.ResolveChain(b.Profiles, p.profile, b.Keys.Has)
	if err != nil {
		return vault.Credentials{}, err
	}
	return b.Keys.Get(chain.Base.Name)
}
