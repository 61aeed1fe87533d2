package cli

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
)

// issueFlags are the flags shared by the commands that issue credentials.
type issueFlags struct {
	Profile   string
	Duration  time.Duration
	Region    string
	MFAToken  string
	NoSession bool
}

func (f *issueFlags) register(cmd *kingpin.CmdClause) {
	cmd.Flag("duration", "Lifetime of the credentials (15m to 12h; default the profile's duration_seconds, else 1h), capped by the policy.").
		Short('d').DurationVar(&f.Duration)
	cmd.Flag("region", "AWS region (default $AWS_REGION, else $AWS_DEFAULT_REGION, else the profile's region).").StringVar(&f.Region)
	cmd.Flag("mfa-token", "MFA code, when the profile has mfa_serial (default: ask on the terminal).").Short('t').StringVar(&f.MFAToken)
	cmd.Flag("no-session", "Skip the cached session token and assume the role with the stored keys.").BoolVar(&f.NoSession)
}

// issue runs the decision flow for one door, where the config says it
// runs: on this machine, or in the team service.
func (g *Globals) issue(ctx context.Context, f *issueFlags, mode policy.Mode) (*broker.Grant, error) {
	return g.issueFor(ctx, f, mode, broker.UseProcess)
}

// issueFor is issue for credentials that are put to use (exported, turned
// into a console session), which the decision log records.
func (g *Globals) issueFor(ctx context.Context, f *issueFlags, mode policy.Mode, use broker.Use) (*broker.Grant, error) {
	if f.Profile == "" {
		return nil, fmt.Errorf("no profile given")
	}
	ops, err := g.operations("")
	if err != nil {
		return nil, err
	}
	return ops.Issue(ctx, broker.Input{
		Profile:   f.Profile,
		Mode:      mode,
		Duration:  f.Duration,
		MFAToken:  f.MFAToken,
		NoSession: f.NoSession,
		Region:    cmp.Or(f.Region, environment().Region),
		Use:       use,
	})
}
