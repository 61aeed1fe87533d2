package cli

import (
	"fmt"
	"runtime"

	"github.com/alecthomas/kingpin/v2"
)

func configureVersionCommand(app *kingpin.Application, g *Globals) {
	app.Command("version", "Print the sentinel version.").Action(func(*kingpin.ParseContext) error {
		fmt.Fprintf(g.Stdout, "sentinel %s (%s, %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	})
}
