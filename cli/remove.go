package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/vault"
)

type removeCommand struct {
	Profile string
	Force   bool
}

func configureRemoveCommand(app *kingpin.Application, g *Globals) {
	c := &removeCommand{}
	cmd := app.Command("remove", "Remove a profile's keys and cached sessions from the keyring.").Alias("rm")
	cmd.Flag("force", "Do not ask for confirmation.").Short('f').BoolVar(&c.Force)
	cmd.Arg("profile", "Profile name.").Required().StringVar(&c.Profile)
	cmd.Action(g.action(c.run))
}

func (c *removeCommand) run(ctx context.Context, g *Globals) error {
	kr, err := g.openKeyring()
	if err != nil {
		return err
	}
	keys := vault.NewKeyStore(kr)
	if !keys.Has(c.Profile) {
		return fmt.Errorf("no keys stored for profile %s", c.Profile)
	}
	if !c.Force {
		answer, err := vault.PromptLine(fmt.Sprintf("Delete the keys of profile %s? (y/N) ", c.Profile))
		if err != nil {
			return withHint(err, "pass --force to remove without asking")
		}
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return fmt.Errorf("not removed")
		}
	}
	if err := keys.Remove(c.Profile); err != nil {
		return fmt.Errorf("remove keys of profile %s: %w", c.Profile, err)
	}
	if _, err := clearDerived(kr, c.Profile); err != nil {
		return fmt.Errorf("clear cached sessions of profile %s: %w", c.Profile, err)
	}
	fmt.Fprintf(g.Stdout, "Removed keys and cached sessions of profile %s.\n", c.Profile)
	return nil
}
