package cli

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/vault"
)

// Shell completion. The scripts are thin: each asks the sentinel it
// completes for the candidates with kingpin's hidden --completion-bash
// flag (`sentinel --completion-bash exec pr` prints one candidate per
// line), so commands, flags and enum values never drift from the binary,
// and the hints below add profile names and record IDs. The same engine
// serves all three shells; only the glue differs.

// completionScripts are the glue per shell.
var completionScripts = map[string]string{
	"bash": `# bash completion for sentinel; load with: source <(sentinel completion bash)
_sentinel_complete() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local IFS=$'\n'
    local candidates
    candidates="$("${COMP_WORDS[0]}" --completion-bash "${COMP_WORDS[@]:1:$COMP_CWORD}" 2>/dev/null)"
    COMPREPLY=( $(compgen -W "${candidates}" -- "${cur}") )
}
complete -o default -F _sentinel_complete sentinel
`,
	"zsh": `#compdef sentinel
# zsh completion for sentinel; load with: source <(sentinel completion zsh)
# (after compinit), or save as _sentinel in a directory of $fpath.
_sentinel() {
    local -a candidates
    candidates=(${(f)"$(${words[1]} --completion-bash "${(@)words[2,$CURRENT]}" 2>/dev/null)"})
    compadd -a candidates
    if [[ $compstate[nmatches] -eq 0 && $words[$CURRENT] != -* ]]; then
        _files
    fi
}
if [[ "$(basename -- ${(%):-%x})" != "_sentinel" ]]; then
    compdef _sentinel sentinel
fi
`,
	"fish": `# fish completion for sentinel; load with: sentinel completion fish | source
# or save as ~/.config/fish/completions/sentinel.fish
function __sentinel_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    $tokens[1] --completion-bash $tokens[2..-1] $current 2>/dev/null
end
complete -c sentinel -f -a '(__sentinel_complete)'
`,
}

func configureCompletionCommand(app *kingpin.Application, g *Globals) {
	var shell string
	cmd := app.Command("completion", "Print the shell completion script for bash, zsh or fish: source <(sentinel completion bash).")
	cmd.Arg("shell", "bash, zsh or fish.").Required().HintOptions("bash", "fish", "zsh").EnumVar(&shell, "bash", "zsh", "fish")
	cmd.Action(func(*kingpin.ParseContext) error {
		_, err := fmt.Fprint(g.Stdout, completionScripts[shell])
		return err
	})
}

// completionTimeout bounds the network a completion may wait for (IDs
// come from the store or the team service): a slow answer gives no
// candidates rather than a hung prompt.
const completionTimeout = 2 * time.Second

// addCompletionHints gives every profile argument and --profile flag the
// profile names, and every ID argument the IDs of its kind. It runs once
// every command is configured, so that commands need not know about it.
func addCompletionHints(app *kingpin.Application, g *Globals, model *kingpin.ApplicationModel) {
	for _, path := range commandPaths(model.Commands, nil) {
		cmd := commandAt(app, path)
		if cmd == nil {
			continue
		}
		if a := cmd.GetArg("profile"); a != nil {
			a.HintAction(g.profileHints)
		}
		if f := cmd.GetFlag("profile"); f != nil {
			f.HintAction(g.profileHints)
		}
		if a := cmd.GetArg("id"); a != nil {
			if hint := g.idHintsFor(path); hint != nil {
				a.HintAction(hint)
			}
		}
	}
}

// commandPaths lists the path (names from the top) of every command.
func commandPaths(cmds []*kingpin.CmdModel, parent []string) [][]string {
	var out [][]string
	for _, c := range cmds {
		path := append(append([]string{}, parent...), c.Name)
		out = append(out, path)
		out = append(out, commandPaths(c.Commands, path)...)
	}
	return out
}

// commandAt finds the command at path.
func commandAt(app *kingpin.Application, path []string) *kingpin.CmdClause {
	cmd := app.GetCommand(path[0])
	for _, name := range path[1:] {
		if cmd == nil {
			return nil
		}
		cmd = cmd.GetCommand(name)
	}
	return cmd
}

// profileHints are the profile names in ~/.aws/config and in the
// keyring. Listing the keyring reads no secret and asks no passphrase.
func (g *Globals) profileHints() []string {
	seen := map[string]bool{}
	if cfg, err := vault.LoadConfigFile(""); err == nil {
		for _, n := range cfg.ProfileNames() {
			seen[n] = true
		}
	}
	if kr, err := g.openKeyring(); err == nil {
		if names, err := vault.NewKeyStore(kr).Profiles(); err == nil {
			for _, n := range names {
				seen[n] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// idHintsFor returns the hint for the id argument of the command at path:
// request IDs for requests show/cancel, approve and deny, break-glass
// event IDs for breakglass-show and breakglass-close, session IDs for sessions
// show/revoke; nil for anything else.
func (g *Globals) idHintsFor(path []string) kingpin.HintAction {
	switch strings.Join(path, " ") {
	case "requests show", "requests cancel", "approve", "deny":
		return idHints(g, request.Kind.ID, func(ctx context.Context, ops Operations) ([]*request.Request, error) {
			return ops.ListRequests(ctx, request.Query{Status: request.StatusPending})
		})
	case "breakglass-show", "breakglass-close":
		return idHints(g, breakglass.Kind.ID, func(ctx context.Context, ops Operations) ([]*breakglass.Event, error) {
			return ops.ListBreakglass(ctx, breakglass.Query{Status: breakglass.StatusActive})
		})
	case "sessions show", "sessions revoke":
		return idHints(g, session.Kind.ID, func(ctx context.Context, ops Operations) ([]*session.Session, error) {
			return ops.ListSessions(ctx, session.Query{Status: session.StatusActive})
		})
	}
	return nil
}

// idHints wraps a listing as a hint. IDs need the person's identity, so
// the keys are read: only when that can happen without a prompt (a
// passphrase from the environment, or a keyring backend other than the
// file), since a completion must never stop to ask.
func idHints[T any](g *Globals, id func(*T) string, list func(context.Context, Operations) ([]*T, error)) kingpin.HintAction {
	return func() []string {
		if !g.keyringOpensSilently() {
			return nil
		}
		ops, err := g.operations("")
		if err != nil {
			return nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
		defer cancel()
		records, err := list(ctx, ops)
		if err != nil {
			return nil
		}
		var ids []string
		for _, r := range records {
			ids = append(ids, id(r))
		}
		return ids
	}
}

// keyringOpensSilently reports whether reading the keyring cannot prompt.
func (g *Globals) keyringOpensSilently() bool {
	cfg := vault.KeyringConfigFromEnv()
	backend := cfg.Backend
	if g.KeyringBackend != "" {
		backend = g.KeyringBackend
	}
	return cfg.Passphrase != "" || (backend != "" && backend != "file")
}
