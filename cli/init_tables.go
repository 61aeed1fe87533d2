package cli

import (
	"context"
	"fmt"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/config"
)

type initTablesCommand struct {
	DryRun bool
}

func configureInitCommand(app *kingpin.Application, g *Globals) {
	c := &initTablesCommand{}
	init := app.Command("init", "Set up shared state.")
	tables := init.Command("tables", "Create the DynamoDB tables, indexes and TTL setting (idempotent).")
	tables.Flag("dry-run", "Print what would be created and change nothing.").BoolVar(&c.DryRun)
	tables.Action(g.action(c.run))
}

func (c *initTablesCommand) run(ctx context.Context, g *Globals) error {
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
	// Who is setting up the tables is established by the broker, from STS,
	// exactly as for every other command; its base keys sign the calls.
	b, err := g.identityBroker()
	if err != nil {
		return err
	}
	a, err := b.Identify(ctx, profile)
	if err != nil {
		return err
	}
	g.Debugf("setting up tables as %s (%s) via profile %s", a.Identity.Name, a.Identity.ARN, profile)
	st, err := newDynamoStore(ctx, cfg, b.Signer(a))
	if err != nil {
		return err
	}
	return st.InitTables(ctx, c.DryRun, g.Stdout)
}
