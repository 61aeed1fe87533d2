package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/policy"
)

type credentialsCommand struct {
	issueFlags
	positional string
}

// processCredentials is the credential_process document the AWS SDKs and
// CLI read.
type processCredentials struct {
	Version         int    `json:"Version"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken"`
	Expiration      string `json:"Expiration"`
}

func configureCredentialsCommand(app *kingpin.Application, g *Globals) {
	c := &credentialsCommand{}
	cmd := app.Command("credentials", "Print credentials for credential_process in ~/.aws/config, if the policy allows it.")
	c.register(cmd)
	cmd.Flag("profile", "Profile (instead of the argument).").StringVar(&c.Profile)
	cmd.Arg("profile", "Profile from ~/.aws/config or the keyring.").StringVar(&c.positional)
	cmd.Action(g.action(c.run))
}

func (c *credentialsCommand) run(ctx context.Context, g *Globals) error {
	if c.Profile != "" && c.positional != "" && c.Profile != c.positional {
		return fmt.Errorf("two different profiles given: %s and --profile %s", c.positional, c.Profile)
	}
	c.Profile = cmp.Or(c.Profile, c.positional)
	if c.Profile == "" {
		return withHint(fmt.Errorf("no profile given"), "use: sentinel credentials PROFILE")
	}
	grant, err := g.issue(ctx, &c.issueFlags, policy.ModeCredentialProcess)
	if err != nil {
		return err
	}
	doc, err := json.Marshal(processCredentials{
		Version:         1,
		AccessKeyID:     grant.Credentials.AccessKeyID,
		SecretAccessKey: grant.Credentials.SecretAccessKey,
		SessionToken:    grant.Credentials.SessionToken,
		Expiration:      grant.Credentials.Expires.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(g.Stdout, "%s\n", doc)
	return err
}
