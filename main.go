// Command sentinel is a local credential broker for AWS: it issues
// short-lived STS credentials only when a policy-as-code file allows it, and
// logs every decision. The same binary is the team vending service: as the
// `bootstrap` of an AWS Lambda function it serves the team API.
package main

import (
	"os"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/cli"
)

// lambdaServeHandler builds the team API handler when the binary runs on
// AWS Lambda: the same one `sentinel serve` serves (cli/serve.go).
var lambdaServeHandler cli.ServeHandlerBuilder = cli.ServeHandler

func main() {
	// On Lambda the runtime starts the binary as bootstrap, with no
	// arguments; the service config comes from the environment.
	if cli.OnLambda(os.Getenv("AWS_LAMBDA_RUNTIME_API"), os.Args[1:]) {
		os.Exit(cli.LambdaMain(os.Getenv("SENTINEL_SERVE_CONFIG"), lambdaServeHandler, os.Stdout, os.Stderr))
	}
	app := kingpin.New("sentinel", "A policy-gated credential broker for AWS.")
	app.Version(cli.VersionLine())
	app.HelpFlag.Short('h')
	cli.Configure(app, os.Stdout, os.Stderr)
	if _, err := app.Parse(os.Args[1:]); err != nil {
		os.Exit(cli.Report(os.Stderr, cli.Suggest(app, os.Args[1:], err)))
	}
}
