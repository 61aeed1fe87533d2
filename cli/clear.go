package cli

import (
	"context"
	"fmt"

	"github.com/alecthomas/kingpin/v2"
	"github.com/byteness/keyring"

	"github.com/sentinel-cli/sentinel/vault"
)

type clearCommand struct {
	Profile string
}

func configureClearCommand(app *kingpin.Application, g *Globals) {
	c := &clearCommand{}
	cmd := app.Command("clear", "Remove cached sessions and role credentials (all, or those derived from one profile); never the long-lived keys.")
	cmd.Arg("profile", "Profile whose cached credentials to remove, with those of every profile whose source_profile chain ends at it (default: all).").StringVar(&c.Profile)
	cmd.Action(g.action(c.run))
}

func (c *clearCommand) run(ctx context.Context, g *Globals) error {
	kr, err := g.openKeyring()
	if err != nil {
		return err
	}
	// Deleting needs no decryption, but a wrong passphrase must change
	// nothing, here as everywhere.
	if err := vault.NewCache(kr, nil).CheckPassphrase(); err != nil {
		return fmt.Errorf("clear cached credentials: %w", err)
	}
	var n int
	if c.Profile == "" {
		n, err = vault.NewCache(kr, nil).ClearAll()
	} else {
		n, err = clearDerived(kr, c.Profile)
	}
	if err != nil {
		return fmt.Errorf("clear cached credentials: %w", err)
	}
	what := "all profiles"
	if c.Profile != "" {
		what = "profile " + c.Profile + " and the profiles that use its keys"
	}
	fmt.Fprintf(g.Stdout, "Removed %d cached item(s) of %s; long-lived keys kept.\n", n, what)
	return nil
}

// clearDerived removes what was cached from profile (see
// vault.Cache.ClearDerived), resolving chains with ~/.aws/config. add,
// remove and clear all go through it.
func clearDerived(kr keyring.Keyring, profile string) (int, error) {
	profiles, err := vault.LoadConfigFile("")
	if err != nil {
		return 0, err
	}
	return vault.NewCache(kr, nil).ClearDerived(profiles, vault.NewKeyStore(kr).Has, profile)
}
