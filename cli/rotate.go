package cli

import "github.com/alecthomas/kingpin/v2"

func configureRotateCommand(app *kingpin.Application, g *Globals) {}
