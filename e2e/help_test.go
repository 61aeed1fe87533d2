package e2e

import (
	"github.com/alecthomas/kingpin/v2"

	"regexp"
	"strings"
	"testing"
)

// TestHelpTopLevelGrouped: `sentinel --help` lists every command by group,
// one line each, and fits in 60 lines; a command's own help has the rest.
func TestHelpTopLevelGrouped(t *testing.T) {
	w := newWorld(t)
	p := w.newPerson("docs")
	r := p.mustRun("--help")
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) > 60 {
		t.Errorf("sentinel --help is %d lines, want at most 60:\n%s", len(lines), r.stdout)
	}
	for _, heading := range []string{"Get credentials:", "Ask first, or break the glass:", "Policy, sessions and audit:"} {
		if !strings.Contains(r.stdout, "\n"+heading+"\n") {
			t.Errorf("no group %q in sentinel --help:\n%s", heading, r.stdout)
		}
	}
	for _, c := range commandModel().Commands {
		if c.Hidden {
			continue
		}
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(c.Name) + `  `).MatchString(r.stdout) {
			t.Errorf("command %s is not listed in sentinel --help", c.Name)
		}
	}
	if !strings.Contains(r.stdout, `sentinel help COMMAND`) {
		t.Errorf("sentinel --help does not say where the rest is:\n%s", r.stdout)
	}
	if h := p.mustRun("help", "exec"); !strings.Contains(h.stdout, "usage: sentinel exec") || !strings.Contains(h.stdout, "--server-duration=") {
		t.Errorf("sentinel help exec: %s", h)
	}
}

// TestHelpFlagNames: exec --help lists --ecs-server, and no command's help
// shows a flag as --[no-]NAME.
func TestHelpFlagNames(t *testing.T) {
	w := newWorld(t)
	p := w.newPerson("docs")
	r := p.mustRun("exec", "--help")
	for _, want := range []string{"--ecs-server", "--no-session ", "--server "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("exec --help has no %q:\n%s", want, r.stdout)
		}
	}
	var walk func(path []string, cmds []*kingpin.CmdModel)
	walk = func(path []string, cmds []*kingpin.CmdModel) {
		for _, c := range cmds {
			sub := append(append([]string{}, path...), c.Name)
			h := p.run(append(sub, "--help")...)
			if h.code != 0 {
				t.Errorf("sentinel %s --help: %s", strings.Join(sub, " "), h)
			}
			if strings.Contains(h.stdout, "[no-]") {
				t.Errorf("sentinel %s --help shows a [no-] flag:\n%s", strings.Join(sub, " "), h.stdout)
			}
			walk(sub, c.Commands)
		}
	}
	walk(nil, commandModel().Commands)
}

// TestHelpCommandAloneListsSubcommands: `sentinel policy` (and every other
// command with subcommands) lists them instead of failing.
func TestHelpCommandAloneListsSubcommands(t *testing.T) {
	w := newWorld(t)
	p := w.newPerson("docs")
	r := p.mustRun("policy")
	for _, sub := range []string{"validate", "check", "test", "replay"} {
		if !regexp.MustCompile(`(?m)^  ` + sub + ` `).MatchString(r.stdout) {
			t.Errorf("sentinel policy does not list %s:\n%s", sub, r)
		}
	}
	if r.stderr != "" {
		t.Errorf("sentinel policy wrote to stderr: %s", r)
	}
	for _, cmd := range []string{"init", "sso"} {
		if r := p.mustRun(cmd); !strings.Contains(r.stdout, "Subcommands:") {
			t.Errorf("sentinel %s: %s", cmd, r)
		}
	}
	p.mustFail(`hint: did you mean validate\?`, "policy", "valdiate")
}

// TestMistypedProfileSuggests: a profile name one typo away from a real
// one gets "did you mean".
func TestMistypedProfileSuggests(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(devPolicy)
	p := w.newPerson("alice")
	p.mustFail(`profile "prdo" not found in .* or the keyring\nsentinel: hint: did you mean prod\?`, "exec", "prdo", "--", "true")
	p.mustFail(`profile "zzzzzz" not found.*\nsentinel: hint: sentinel list shows the profiles you have`, "credentials", "zzzzzz")
}
