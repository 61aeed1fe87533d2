package cli

import "github.com/alecthomas/kingpin/v2"

// configureLogCommands registers the "log" command group, which works on
// the decision log.
func configureLogCommands(app *kingpin.Application, g *Globals) {
	cmd := app.Command("log", "Work with the decision log.")
	configureLogVerifyCommand(cmd, g)
}
