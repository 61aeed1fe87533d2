// Command sentinel is a local credential broker for AWS: it issues
// short-lived STS credentials only when a policy-as-code file allows it, and
// logs every decision.
package main

import (
	"os"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/cli"
)

func main() {
	app := kingpin.New("sentinel", "A policy-gated credential broker for AWS.")
	app.Version(cli.Version)
	app.HelpFlag.Short('h')
	cli.Configure(app, os.Stdout, os.Stderr)
	if _, err := app.Parse(os.Args[1:]); err != nil {
		os.Exit(cli.Report(os.Stderr, cli.Suggest(app, os.Args[1:], err)))
	}
}
