package cli

import (
	"github.com/alecthomas/kingpin/v2"
	"github.com/sentinel-cli/sentinel/breakglass"
)

func configureBreakglassShowCommand(app *kingpin.Application, g *Globals) {
	c := &recordShowCommand[*breakglass.Event, breakglass.Query, breakglassView]{kind: breakglassRecords}
	cmd := app.Command("breakglass-show", "Show one break-glass event.")
	c.configure(cmd)
	cmd.Action(g.action(c.run))
}
