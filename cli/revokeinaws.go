package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/awsrevoke"
	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/config"
	"github.com/sentinel-cli/sentinel/internal/field"
	"github.com/sentinel-cli/sentinel/revocation"
	"github.com/sentinel-cli/sentinel/server"
	"github.com/sentinel-cli/sentinel/teamapi"
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

// operationsInAWS is operations for a command given --in-aws: locally,
// on the DynamoDB store only (the revocation list must be shared), with
// the revokers of the person's config; refused before anything changes
// otherwise.
func (g *Globals) operationsInAWS(inAWS bool) (Operations, error) {
	if !inAWS {
		return g.operations("")
	}
	cfg, err := g.Config()
	if err != nil {
		return nil, err
	}
	if cfg.Server.Configured() {
		return nil, withHint(errors.New("--in-aws: the team service writes the AWS deny itself"),
			"leave out --in-aws; the service does it when its config has revoke_in_aws: {enabled: true}")
	}
	if cfg.Store.Backend != config.BackendDynamoDB {
		return nil, withHint(errors.New("--in-aws needs the DynamoDB store: the revocation list must be shared, and the embedded store is this machine's alone; nothing was changed"),
			"set store: {backend: dynamodb} in your config (see the sessions documentation, Revocation in AWS)")
	}
	return &localOperations{g: g, inAWS: true}, nil
}

// wireInAWS gives the broker revocation in AWS signed by the actor's keys
// (which must be allowed to assume the configured revokers).
func (g *Globals) wireInAWS(b *broker.Broker, a *broker.Actor) error {
	cfg, err := g.Config()
	if err != nil {
		return err
	}
	env := environment()
	if env.stsErr != nil {
		return env.stsErr
	}
	b.InAWS = newInAWS(cfg.RevokeInAWS.Revokers, env.STS, b.Signer(a))
	b.Warnf = func(format string, args ...any) { fmt.Fprintf(g.Stderr, "sentinel: warning: "+format+"\n", args...) }
	return nil
}

// inAWSError adds what to do to a revocation whose AWS deny was not
// written: the revocation holds in the store.
func inAWSError(err error) error {
	if errors.Is(err, broker.ErrInAWSFailed) {
		return withHint(err, "the revocation holds in the store; run `sentinel sessions sync-aws` to write the AWS deny again")
	}
	return err
}

// SyncAWS runs the broker's SyncAWS with the person's keys.
func (o *localOperations) SyncAWS(ctx context.Context) ([]teamapi.SyncAWSResult, error) {
	if !o.inAWS {
		o = &localOperations{g: o.g, profile: o.profile, inAWS: true}
	}
	return withActor(ctx, o, func(b *broker.Broker, a *broker.Actor) ([]teamapi.SyncAWSResult, error) {
		rs, err := b.SyncAWS(ctx, a)
		return server.SyncAWSResults(rs), err
	})
}

// inAWSFlagHelp is the help of every --in-aws flag.
const inAWSFlagHelp = "Also deny the affected credentials in AWS at once (the SentinelRevocations inline policy; needs the DynamoDB store and keys that may assume the revokers under revoke_in_aws.revokers)."

// onRequestInAWS is onRequest with --in-aws.
func (g *Globals) onRequestInAWS(ctx context.Context, arg string, inAWS bool, act func(ops Operations, id string) error) error {
	ops, err := g.operationsInAWS(inAWS)
	if err != nil {
		return err
	}
	id, err := ops.ResolveRequestID(ctx, arg)
	if err != nil {
		return err
	}
	return act(ops, id)
}

// SessionAWSDenies reads the AWS denies naming session id from the
// store's revocation list.
func (o *localOperations) SessionAWSDenies(ctx context.Context, id string) ([]teamapi.AWSDenyView, error) {
	return withActor(ctx, o, func(b *broker.Broker, a *broker.Actor) ([]teamapi.AWSDenyView, error) {
		es, err := b.AWSDenies(ctx, a, id)
		return server.AWSDenyViews(es, time.Now()), err
	})
}

// writeAWSDenies says, for sessions show, when the AWS deny of a session
// was made, on which roles, and until when it is kept.
func writeAWSDenies(w io.Writer, denies []teamapi.AWSDenyView) {
	for _, d := range denies {
		fmt.Fprintf(w, "Denied in AWS:  since %s on %s, kept until %s (%s)\n",
			d.Since.Format(time.RFC3339), field.Display(strings.Join(d.Roles, ", ")), d.Until.Format(time.RFC3339), field.Display(d.Status))
	}
}

// warnRevokeFallback says, in a team command's output, what the service
// reported: a role's revocation list did not fit its inline policy budget,
// so sentinel fell back to denying every session of the role issued
// before a time (the local broker says the same through its Warnf).
func (g *Globals) warnRevokeFallback(role string, issuedBefore time.Time) {
	fmt.Fprintf(g.Stderr, "sentinel: warning: revoke in AWS: the revocation list of %s does not fit its inline policy limit: EVERY session of the role issued before %s is denied, innocent ones included, until they expire\n",
		role, issuedBefore.UTC().Format(time.RFC3339))
}
