package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/logging"
)

func configureLogVerifyCommand(parent *kingpin.CmdClause, g *Globals) {
	var file string
	cmd := parent.Command("verify", "Check the decision log's hash chain: exit 0 if intact, 1 naming the first broken line.")
	cmd.Arg("file", "Log file to check (default: the resolved decision log).").StringVar(&file)
	cmd.Action(func(*kingpin.ParseContext) error {
		return runLogVerify(g, file)
	})
}

// runLogVerify checks the chain of file (default: the resolved decision
// log) and prints one line: ok with the count, or the first broken line.
func runLogVerify(g *Globals, file string) error {
	path := file
	if path == "" {
		cfg, err := g.Config()
		if err != nil {
			return err
		}
		path = cfg.LogPath(g.LogFile)
	}
	g.Debugf("verifying decision log %s", path)

	rep, err := logging.VerifyFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return withHint(fmt.Errorf("%s: no such file", path), "nothing has been logged yet, or pass the log file to check")
	case errors.Is(err, logging.ErrChainBroken) && rep.Entries > 0:
		noun := "entries"
		if rep.Entries == 1 {
			noun = "entry"
		}
		return &ExitError{Code: 1, Err: fmt.Errorf("%s: %w (%d %s before it intact)", path, err, rep.Entries, noun)}
	case err != nil:
		return &ExitError{Code: 1, Err: fmt.Errorf("%s: %w", path, err)}
	}
	fmt.Fprintf(g.Stdout, "%s: ok: %d entries, chain intact\n", path, rep.Entries)
	return nil
}
