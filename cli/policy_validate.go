package cli

import (
	"fmt"

	"github.com/alecthomas/kingpin/v2"
)

// policyValidateView is `policy validate --output json` for a valid file
// (an invalid one prints its problems on stderr either way).
type policyValidateView struct {
	Path     string   `json:"path"`
	SHA256   string   `json:"sha256"`
	Summary  string   `json:"summary"`
	Tests    int      `json:"tests"`
	Warnings []string `json:"warnings"`
}

func configurePolicyValidateCommand(parent *kingpin.CmdClause, g *Globals) {
	var file, output string
	cmd := parent.Command("validate", "Check a policy file: exit 0 with a summary, or 1 with every problem as file:line: field: message.")
	cmd.Arg("file", "Policy file to check (default: the resolved policy path).").StringVar(&file)
	outputFlag(cmd, &output)
	cmd.Action(func(*kingpin.ParseContext) error {
		return runPolicyValidate(g, file, output)
	})
}

// runPolicyValidate loads file (default: the resolved policy) and prints a
// one-line summary with the start of its SHA-256, the hash the decision
// log records, then any warnings on stderr.
func runPolicyValidate(g *Globals, file, output string) error {
	p, err := g.loadPolicyFile(file)
	if err != nil {
		return err
	}
	path := p.Path
	if output == "json" {
		v := policyValidateView{Path: path, SHA256: p.SHA256, Summary: p.Summary(), Tests: len(p.Tests()), Warnings: []string{}}
		for _, w := range p.Warnings() {
			msg := fmt.Sprintf("%s:%d: %s", path, w.Line, w.Message)
			if w.Field != "" {
				msg = fmt.Sprintf("%s:%d: %s: %s", path, w.Line, w.Field, w.Message)
			}
			v.Warnings = append(v.Warnings, msg)
		}
		return writeJSON(g.Stdout, v)
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
