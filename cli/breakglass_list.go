package cli

import (
	"github.com/alecthomas/kingpin/v2"
	"github.com/sentinel-cli/sentinel/breakglass"
)

func configureBreakglassListCommand(app *kingpin.Application, g *Globals) {
	c := &recordListCommand[*breakglass.Event, breakglass.Query, breakglassView]{kind: breakglassRecords}
	cmd := app.Command("breakglass-list", "List break-glass events, newest first (default: your own).")
	c.configure(cmd, nil)
	cmd.Action(g.action(c.run))
}
