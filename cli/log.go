package cli

import "github.com/alecthomas/kingpin/v2"

// configureLogCommands registers the "log" command group, which works on
// the decision log: show (the default), verify and anchor.
func configureLogCommands(app *kingpin.Application, g *Globals) {
	cmd := app.Command("log", "Show, verify and anchor the decision log.")
	configureLogShowCommand(cmd, g)
	configureLogVerifyCommand(cmd, g)
	configureLogAnchorCommand(cmd, g)
}
