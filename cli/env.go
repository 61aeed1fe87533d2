package cli

import (
	"cmp"
	"context"
	"os"
	"sync"

	"github.com/sentinel-cli/sentinel/secretref/awsfetch"
	"github.com/sentinel-cli/sentinel/vault"
)

// startEnv is the part of the process environment that the credential
// flow acts on, read once, at start, and passed down from here: no package
// below cli reads or changes the environment per call.
type startEnv struct {
	// Region is AWS_REGION, else AWS_DEFAULT_REGION: they override the
	// profile's region, as in the AWS CLI and aws-vault (--region
	// overrides both).
	Region string
	// STS configures the STS clients (AWS_ENDPOINT_URL_STS,
	// SENTINEL_STS_TIMEOUT, AWS_MAX_ATTEMPTS, AWS_CA_BUNDLE); stsErr is
	// set when one of them is invalid.
	STS    vault.STSOptions
	stsErr error
	// Passphrase is the file keyring passphrase given in the environment,
	// kept so that exec can keep it (under any name) out of the child. In
	// an `exec --server` process restarted without it in its environment,
	// it is read from the pipe passphraseFDEnv names; passphraseErr is set
	// when that fails.
	Passphrase    string
	passphraseErr error
	// Secrets are the endpoints of the services `serve` fetches secrets
	// from (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL_SSM).
	Secrets awsfetch.Endpoints
}

// environment returns the environment as read at the first call.
var environment = sync.OnceValue(func() startEnv {
	e := startEnv{
		Region:     cmp.Or(os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION")),
		Passphrase: cmp.Or(os.Getenv("SENTINEL_FILE_PASSPHRASE"), os.Getenv("AWS_VAULT_FILE_PASSPHRASE")),
	}
	if fd := os.Getenv(passphraseFDEnv); fd != "" && e.Passphrase == "" {
		e.Passphrase, e.passphraseErr = readPassphraseFD(fd)
	}
	e.STS, e.stsErr = vault.STSOptionsFromEnv(os.Getenv)
	e.Secrets = awsfetch.Endpoints{SecretsManager: os.Getenv("AWS_ENDPOINT_URL_SECRETS_MANAGER"), SSM: os.Getenv("AWS_ENDPOINT_URL_SSM")}
	return e
})

// stsFactory builds the broker's STS clients from the options read at
// start; an invalid setting fails the first client, with its message.
func (g *Globals) stsFactory() vault.STSFactory {
	env := environment()
	if env.stsErr != nil {
		err := env.stsErr
		return func(context.Context, string, vault.Credentials) (vault.STSClient, error) { return nil, err }
	}
	return vault.NewSTSFactory(env.STS)
}
