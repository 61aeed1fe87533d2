package cli

import (
	"fmt"

	"github.com/alecthomas/kingpin/v2"
)

func configurePolicyValidateCommand(parent *kingpin.CmdClause, g *Globals) {
	var file string
	cmd := parent.Command("validate", "Check a policy file: exit 0 with a summary, or 1 with every problem as file:line: field: message.")
	cmd.Arg("file", "Policy file to check (default: the resolved policy path).").StringVar(&file)
	cmd.Action(func(*kingpin.ParseContext) error {
		return runPolicyValidate(g, file)
	})
}

// runPolicyValidate loads file (default: the resolved policy) and prints a
// one-line summary with the start of its SHA-256, the hash the decision
// log records, then any warnings on stderr.
func runPolicyValidate(g *Globals, file string) error {
	path, err := g.policyFileFor(file)
	if err != nil {
		return err
	}
	p, err := g.loadPolicyFile(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "%s: ok: %s (sha256 %s…)\n", path, p.Summary(), p.SHA256[:8])
	// Warnings do not change the exit status: the file is valid.
	for _, w := range p.Warnings() {
		if w.Field == "" {
			fmt.Fprintf(g.Stderr, "%s:%d: warning: %s\n", path, w.Line, w.Message)
		} else {
			fmt.Fprintf(g.Stderr, "%s:%d: warning: %s: %s\n", path, w.Line, w.Field, w.Message)
		}
	}
	return nil
}
