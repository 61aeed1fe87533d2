package cli

import (
	"context"
	"os"

	"github.com/sentinel-cli/sentinel/awsrevoke"
	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/revocation"
	"github.com/sentinel-cli/sentinel/server"
	"github.com/sentinel-cli/sentinel/vault"
)

// newInAWS builds revocation in AWS over the given revokers, signed by
// base: IAM at AWS_ENDPOINT_URL_IAM when set, read now, once.
func newInAWS(revokers map[string]string, stsOpts vault.STSOptions, base func(context.Context) (vault.Credentials, error)) *broker.InAWS {
	sts := vault.NewSTSFactory(stsOpts)
	acc := &awsrevoke.Accounts{
		Revokers: revokers,
		Base:     base,
		STS:      sts,
		IAM:      vault.IAMOptionsFromEnv(os.Getenv, stsOpts),
		// The caller's own account may go without a revoker: it is
		// learnt from STS the first time it is needed.
		OwnAccount: func(ctx context.Context) (string, error) {
			creds, err := base(ctx)
			if err != nil {
				return "", err
			}
			c, err := sts(ctx, "", creds)
			if err != nil {
				return "", err
			}
			id, err := c.GetCallerIdentity(ctx)
			if err != nil {
				return "", err
			}
			return id.Account, nil
		},
	}
	holder, err := awsrevoke.NewHolder()
	if err != nil {
		holder = "" // a random holder per write instead
	}
	return &broker.InAWS{Client: acc.Client, Holder: holder}
}

// serviceInAWS is the team service's revocation in AWS (revoke_in_aws:
// enabled), signed by the service's own credentials.
func serviceInAWS(cfg *server.ServeConfig, stsOpts vault.STSOptions, base func(context.Context) (vault.Credentials, error)) *broker.InAWS {
	return newInAWS(cfg.RevokeInAWS.Revokers, stsOpts, base)
}

// Revocations hands the revocation list of the store kept open through.
func (k keptOpen) Revocations() revocation.Store {
	if rs, ok := k.Stores.(broker.RevocationStores); ok {
		return rs.Revocations()
	}
	return nil
}
