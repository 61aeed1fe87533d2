package cli

import (
	"context"
	"fmt"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/config"
	"github.com/sentinel-cli/sentinel/vault"
)

type initTablesCommand struct {
	DryRun bool
}

func configureInitCommand(app *kingpin.Application, g *Globals) {
	c := &initTablesCommand{}
	init := app.Command("init", "Set up shared state.")
	tables := init.Command("tables", "Create the DynamoDB tables, indexes and TTL setting (idempotent).")
	tables.Flag("dry-run", "Print what would be created and change nothing.").BoolVar(&c.DryRun)
	tables.Action(func(*kingpin.ParseContext) error { return c.run(g) })
}

func (c *initTablesCommand) run(g *Globals) error {
	cfg, err := g.Config()
	if err != nil {
		return err
	}
	if cfg.Store.Backend != config.BackendDynamoDB {
		return withHint(fmt.Errorf("the store backend is %s, which needs no tables", cfg.Store.Backend),
			"set store.backend: dynamodb (and store.region) in "+config.DefaultPath())
	}
	profile := cfg.IdentityProfile
	if g.IdentityProfile != "" {
		profile = g.IdentityProfile
	}
	profiles, err := vault.LoadConfigFile("")
	if err != nil {
		return err
	}
	kr, err := g.openKeyring()
	if err != nil {
		return err
	}
	keys := vault.NewKeyStore(kr)
	chain, err := vault.ResolveChain(profiles, profile, keys.Has)
	if err != nil {
		return err
	}
	sign := func() (vault.Credentials, error) { return keys.Get(chain.Base.Name) }
	ctx := context.Background()
	st, err := newDynamoStore(ctx, cfg, sign)
	if err != nil {
		return err
	}
	return st.InitTables(ctx, c.DryRun, g.Stdout)
}
