package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"gopkg.in/ini.v1"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
)

// Formats of `sentinel export`, as aws-vault names them.
const (
	exportFormatEnv       = "env"
	exportFormatExportEnv = "export-env"
	exportFormatJSON      = "json"
	exportFormatINI       = "ini"
)

type exportCommand struct {
	issueFlags
	Format string
}

func configureExportCommand(app *kingpin.Application, g *Globals) {
	c := &exportCommand{}
	cmd := app.Command("export", "Print credentials for a profile, if the policy allows it, for tools that cannot run under sentinel exec.")
	c.register(cmd)
	cmd.Flag("format", "Output format: env, export-env, json (credential_process) or ini.").
		Default(exportFormatEnv).EnumVar(&c.Format, exportFormatEnv, exportFormatExportEnv, exportFormatJSON, exportFormatINI)
	cmd.Arg("profile", "Profile from ~/.aws/config or the keyring.").Required().StringVar(&c.Profile)
	cmd.Action(g.action(c.run))
}

func (c *exportCommand) run(ctx context.Context, g *Globals) error {
	grant, err := g.issueFor(ctx, &c.issueFlags, policy.ModeCLI, broker.UseExport)
	if err != nil {
		return err
	}
	return writeExport(g.Stdout, c.Format, grant)
}

// writeExport prints grant in format, exactly as aws-vault export does.
func writeExport(w io.Writer, format string, grant *broker.Grant) error {
	creds := grant.Credentials
	expiration := creds.Expires.UTC().Format(time.RFC3339)
	switch format {
	case exportFormatJSON:
		doc, err := json.MarshalIndent(processCredentials{
			Version:         1,
			AccessKeyID:     creds.AccessKeyID,
			SecretAccessKey: creds.SecretAccessKey,
			SessionToken:    creds.SessionToken,
			Expiration:      expiration,
		}, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", doc)
		return err
	case exportFormatINI:
		f := ini.Empty()
		s, err := f.NewSection("profile " + grant.Profile)
		if err != nil {
			return fmt.Errorf("write ini: %w", err)
		}
		for _, kv := range [][2]string{
			{"aws_access_key_id", creds.AccessKeyID},
			{"aws_secret_access_key", creds.SecretAccessKey},
			{"aws_session_token", creds.SessionToken},
			{"aws_credential_expiration", expiration},
			{"region", grant.Region},
		} {
			if kv[1] == "" {
				continue
			}
			if _, err := s.NewKey(kv[0], kv[1]); err != nil {
				return fmt.Errorf("write ini: %w", err)
			}
		}
		_, err = f.WriteTo(w)
		return err
	}
	prefix := ""
	if format == exportFormatExportEnv {
		prefix = "export "
	}
	lines := [][2]string{
		{"AWS_ACCESS_KEY_ID", creds.AccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", creds.SecretAccessKey},
		{"AWS_SESSION_TOKEN", creds.SessionToken},
		{"AWS_CREDENTIAL_EXPIRATION", expiration},
	}
	if grant.Region != "" {
		lines = append(lines, [2]string{"AWS_REGION", grant.Region}, [2]string{"AWS_DEFAULT_REGION", grant.Region})
	}
	for _, kv := range lines {
		if _, err := fmt.Fprintf(w, "%s%s=%s\n", prefix, kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}
