package cli

import (
	"context"
	"fmt"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/internal/field"
)

type whoamiCommand struct {
	Profile string
	Output  string
}

// whoamiView is the JSON of `sentinel whoami`, the same fields as the team
// API's GET /v1/whoami.
type whoamiView struct {
	ARN     string `json:"arn"`
	Account string `json:"account"`
	User    string `json:"user"`
}

func configureWhoamiCommand(app *kingpin.Application, g *Globals) {
	c := &whoamiCommand{}
	cmd := app.Command("whoami", "Show who you are to sentinel: the identity STS gives the keys of the identity profile (through the team service when one is configured).")
	cmd.Flag("profile", "Profile whose base keys identify you (default --identity-profile, else identity_profile in the config, else default).").StringVar(&c.Profile)
	outputFlag(cmd, &c.Output)
	cmd.Action(func(*kingpin.ParseContext) error { return c.run(g) })
}

func (c *whoamiCommand) run(g *Globals) error {
	team, err := g.teamMode()
	if err != nil {
		return err
	}
	var ops Operations
	if team {
		// Here the profile names the keys that sign the proof.
		ops, err = g.teamClient(c.Profile)
	} else {
		ops, err = g.operations(c.Profile)
	}
	if err != nil {
		return err
	}
	id, err := ops.Whoami(context.Background())
	if err != nil {
		return err
	}
	if c.Output == "json" {
		return writeJSON(g.Stdout, whoamiView{ARN: id.ARN, Account: id.Account, User: id.Name})
	}
	fmt.Fprintf(g.Stdout, "User:    %s\nARN:     %s\nAccount: %s\n", field.Display(id.Name), field.Display(id.ARN), field.Display(id.Account))
	return nil
}
