package cli

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/byteness/keyring"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/config"
	"github.com/sentinel-cli/sentinel/internal/safefile"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/vault"
)

// openKeyring opens the keyring the flags and environment name. It probes
// no other backend when one is named. vault's errors name the keyring
// already, so they are passed on as they are.
func (g *Globals) openKeyring() (keyring.Keyring, error) {
	cfg := vault.KeyringConfigFromEnv()
	if g.KeyringBackend != "" {
		cfg.Backend = g.KeyringBackend
	}
	if cfg.Passphrase == "" {
		// An `exec --server` process restarted without the passphrase in
		// its environment got it on a pipe (exec_server_secrets.go).
		cfg.Passphrase = environment().Passphrase
	}
	kr, err := vault.OpenKeyring(cfg)
	if err != nil && cfg.Backend == string(keyring.KeychainBackend) && vault.KeychainMissing() {
		return nil, withHint(err,
			"this sentinel was built without cgo and has no macOS Keychain backend: use --backend file (an encrypted file), or a release or Homebrew build")
	}
	if err != nil {
		return nil, err
	}
	return kr, nil
}

// loadPolicyFor loads and validates the policy; a policy that cannot be
// loaded means no credentials, ever. For a decision on one profile it
// reads only that profile's part through the compiled form
// (readPolicyFor); "" reads the whole policy.
func (g *Globals) loadPolicyFor(profile string) (*policy.Policy, error) {
	cfg, err := g.Config()
	if err != nil {
		return nil, err
	}
	path := cfg.PolicyPath(g.PolicyFile)
	var p *policy.Policy
	if profile == "" {
		p, err = readPolicy(path)
	} else {
		p, err = readPolicyFor(path, profile, compiledPolicyDir(), g.Debugf)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, withHint(fmt.Errorf("no policy at %s: sentinel issues no credentials without one", path),
			"write one (`sentinel policy init --write` makes a starter from ~/.aws/config), or name it with --policy, $SENTINEL_POLICY or policy: in "+config.DefaultPath())
	}
	if errors.Is(err, safefile.ErrUnsafe) {
		// Report adds the command that fixes the file.
		return nil, fmt.Errorf("no credentials: %w", err)
	}
	if err != nil {
		return nil, withHint(fmt.Errorf("no credentials without a valid policy: %w", err),
			"check it with `sentinel policy validate "+path+"`")
	}
	g.Debugf("policy %s sha256 %s", path, p.SHA256)
	return p, nil
}

// MaxPolicySize is the largest policy file sentinel reads: the policy
// package's own cap.
const MaxPolicySize = policy.MaxFileSize

// readPolicy reads the policy file the way sentinel trusts it: not through
// a symbolic link, not another user's file, not one that group or others
// can write (a *safefile.Error), at most MaxPolicySize bytes; then parses
// it.
func readPolicy(path string) (*policy.Policy, error) {
	data, err := safefile.ReadFile(path, MaxPolicySize)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	return policy.Parse(data, path)
}

// newBroker wires the decision flow from the configuration: the policy,
// the AWS profiles, the keyring and its caches, the decision log and the
// approval store. The caller must call close when done.
func (g *Globals) newBroker() (b *broker.Broker, closeFn func(), err error) {
	return g.newBrokerFor("")
}

// newBrokerFor is newBroker for decisions on one profile only (see
// loadPolicyFor); "" is newBroker.
func (g *Globals) newBrokerFor(profile string) (b *broker.Broker, closeFn func(), err error) {
	cfg, err := g.Config()
	if err != nil {
		return nil, nil, err
	}
	pol, err := g.loadPolicyFor(profile)
	if err != nil {
		return nil, nil, err
	}
	b, err = g.identityBroker()
	if err != nil {
		return nil, nil, err
	}
	log, err := g.openDecisionLog(cfg)
	if err != nil {
		// logging's errors name the decision log and its path.
		return nil, nil, err
	}
	b.Policy = pol
	b.Log = log
	b.OpenStores = storeOpener(cfg)
	return b, func() { _ = log.Close() }, nil
}

// profilesAndKeyring loads ~/.aws/config, then opens the keyring: the two
// every command that reads stored keys by profile needs.
func (g *Globals) profilesAndKeyring() (*vault.ConfigFile, keyring.Keyring, error) {
	profiles, err := vault.LoadConfigFile("")
	if err != nil {
		return nil, nil, err
	}
	kr, err := g.openKeyring()
	if err != nil {
		return nil, nil, err
	}
	return profiles, kr, nil
}

// identityBroker wires only what establishing who someone is needs: the
// AWS profiles, the keyring and its caches. It has no policy, log or
// store: commands such as `init tables` use it for Identify and Signer.
func (g *Globals) identityBroker() (*broker.Broker, error) {
	profiles, kr, err := g.profilesAndKeyring()
	if err != nil {
		return nil, err
	}
	sso, err := g.ssoEngine()
	if err != nil {
		return nil, err
	}
	return &broker.Broker{
		SSO:       sso,
		Profiles:  profiles,
		Keys:      vault.NewKeyStore(kr),
		Cache:     vault.NewCache(kr, nil),
		PromptMFA: g.mfaPrompt(profiles),
		STS:       g.stsFactory(),
		Debugf:    g.Debugf,
	}, nil
}
