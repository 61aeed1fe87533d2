package cli

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/byteness/keyring"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/config"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/vault"
)

// openKeyring opens the keyring the flags and environment name. It probes
// no other backend when one is named.
func (g *Globals) openKeyring() (keyring.Keyring, error) {
	cfg := vault.KeyringConfigFromEnv()
	if g.KeyringBackend != "" {
		cfg.Backend = g.KeyringBackend
	}
	kr, err := vault.OpenKeyring(cfg)
	if err != nil {
		return nil, fmt.Errorf("open keyring: %w", err)
	}
	return kr, nil
}

// loadPolicy loads and validates the policy. A policy that cannot be loaded
// means no credentials, ever.
func (g *Globals) loadPolicy() (*policy.Policy, error) {
	cfg, err := g.Config()
	if err != nil {
		return nil, err
	}
	path := cfg.PolicyPath(g.PolicyFile)
	p, err := policy.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, withHint(fmt.Errorf("no policy at %s: sentinel issues no credentials without one", path),
			"write one (see docs/examples/minimal.yaml), or name it with --policy, $SENTINEL_POLICY or policy: in "+config.DefaultPath())
	}
	if err != nil {
		return nil, withHint(fmt.Errorf("no credentials without a valid policy: %w", err),
			"check it with `sentinel policy validate "+path+"`")
	}
	g.Debugf("policy %s sha256 %s", path, p.SHA256)
	return p, nil
}

// newBroker wires the decision flow from the configuration: the policy,
// the AWS profiles, the keyring and its caches, the decision log and the
// approval store. The caller must call close when done.
func (g *Globals) newBroker() (b *broker.Broker, closeFn func(), err error) {
	cfg, err := g.Config()
	if err != nil {
		return nil, nil, err
	}
	pol, err := g.loadPolicy()
	if err != nil {
		return nil, nil, err
	}
	profiles, err := vault.LoadConfigFile("")
	if err != nil {
		return nil, nil, err
	}
	kr, err := g.openKeyring()
	if err != nil {
		return nil, nil, err
	}
	logPath := cfg.LogPath(g.LogFile)
	log, err := logging.Open(logPath)
	if err != nil {
		return nil, nil, fmt.Errorf("open decision log %s: %w", logPath, err)
	}
	b = &broker.Broker{
		Policy:     pol,
		Profiles:   profiles,
		Keys:       vault.NewKeyStore(kr),
		Cache:      vault.NewCache(kr, nil),
		Log:        log,
		OpenStores: storeOpener(cfg),
		PromptMFA:  vault.PromptMFA,
		STS:        g.stsFactory(),
		Debugf:     g.Debugf,
	}
	return b, func() { _ = log.Close() }, nil
}
