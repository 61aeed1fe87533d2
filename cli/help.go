package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/template"

	"github.com/alecthomas/kingpin/v2"
)

// helpGroups sorts the top-level commands for `sentinel --help`, which
// lists each on one line so that the whole page fits a terminal; `sentinel
// help COMMAND` has the rest. A command no group names is listed under
// "Other", so a new command is never left out.
var helpGroups = []struct {
	title    string
	commands [][2]string // name, one-line summary
}{
	{"Get credentials", [][2]string{
		{"exec", "Run a command with credentials for a profile"},
		{"credentials", "Print credentials for credential_process"},
		{"export", "Print credentials for tools that cannot run under exec"},
		{"login", "Open the AWS console signed in to a profile"},
	}},
	{"Ask first, or break the glass", [][2]string{
		{"request", "Ask for approval to use a profile"},
		{"requests", "List, show and cancel requests"},
		{"approve", "Approve someone's pending request"},
		{"deny", "Deny someone's pending request"},
		{"breakglass", "Open time-boxed emergency access, with a reason"},
		{"breakglass-list", "List break-glass events"},
		{"breakglass-show", "Show one break-glass event"},
		{"breakglass-close", "End a break-glass event early"},
	}},
	{"Keys, profiles and identity", [][2]string{
		{"add", "Store a profile's long-lived keys in the keyring"},
		{"list", "List profiles, stored keys and cached sessions"},
		{"remove", "Remove a profile's keys and cached sessions"},
		{"rotate", "Replace a profile's stored access key"},
		{"clear", "Remove cached sessions, never the keys"},
		{"sso", "IAM Identity Center sign-in"},
		{"whoami", "Show who you are to sentinel"},
	}},
	{"Policy, sessions and audit", [][2]string{
		{"policy", "Write, check, test and replay the policy"},
		{"sessions", "List, show and revoke server-mode sessions"},
		{"log", "Show, verify and anchor the decision log"},
	}},
	{"Set up and run", [][2]string{
		{"doctor", "Check the whole set-up, one line per check"},
		{"init", "Create the shared tables"},
		{"serve", "Run the team vending service"},
		{"completion", "Print a shell completion script"},
		{"version", "Print the version"},
		{"help", "Show help for a command"},
	}},
}

// usageTemplate is kingpin's default page for a command, and for
// `sentinel --help` the commands by group, one line each, with the global
// flags by name only.
const usageTemplate = `{{define "FormatCommand" -}}
{{if .FlagSummary}} {{.FlagSummary}}{{end -}}
{{range .Args}}{{if not .Hidden}} {{if not .Required}}[{{end}}{{if .PlaceHolder}}{{.PlaceHolder}}{{else}}<{{.Name}}>{{end}}{{if .Value|IsCumulative}}...{{end}}{{if not .Required}}]{{end}}{{end}}{{end -}}
{{end -}}

{{define "FormatCommands" -}}
{{range .FlattenedCommands -}}
{{if not .Hidden -}}
  {{.FullCommand}}{{if .Default}}*{{end}}{{template "FormatCommand" .}}
{{.Help|Wrap 4}}
{{end -}}
{{end -}}
{{end -}}

{{if .Context.SelectedCommand -}}
usage: {{.App.Name}} {{.Context.SelectedCommand}}{{template "FormatCommand" .Context.SelectedCommand}}{{if .Context.SelectedCommand.Commands}} <command> [<args> ...]{{end}}

{{.Context.SelectedCommand.Help|Wrap 0}}
{{if .Context.Flags -}}
Flags:
{{.Context.Flags|FlagsToTwoColumns|FormatTwoColumns}}
{{end -}}
{{if .Context.Args -}}
Args:
{{.Context.Args|ArgsToTwoColumns|FormatTwoColumns}}
{{end -}}
{{if len .Context.SelectedCommand.Commands -}}
Subcommands:
{{template "FormatCommands" .Context.SelectedCommand}}
{{end -}}
{{else -}}
usage: {{.App.Name}} [<flags>] <command> [<args> ...]

{{.App.Help|Wrap 0}}
{{range CommandGroups .App -}}
{{.Title}}:
{{.Rows|FormatTwoColumns}}
{{end -}}
{{GlobalFlagNames .App|Wrap 0 -}}

Run "{{.App.Name}} help COMMAND" (or COMMAND --help) for a command's flags and arguments.
{{end -}}
`

// helpGroup is one heading of the top-level help and its commands.
type helpGroup struct {
	Title string
	Rows  [][2]string
}

// configureHelp installs sentinel's help templates on app: the grouped
// top-level page, and flag names as they are typed (--no-session, never
// --[no-]no-session). It runs after every command is configured.
func configureHelp(app *kingpin.Application, g *Globals, model *kingpin.ApplicationModel) {
	app.UsageTemplate(usageTemplate)
	app.UsageFuncs(template.FuncMap{
		"FlagsToTwoColumns": flagRows,
		"CommandGroups":     commandGroups,
		"GlobalFlagNames":   globalFlagNames,
	})
	addSubcommandListings(app, g, model)
}

// flagName is a flag as a person types it: a boolean flag by its name
// alone (kingpin accepts --no-NAME too, but --[no-]no-session helps no one).
func flagName(f *kingpin.FlagModel) string {
	name := "--" + f.Name
	if !f.IsBoolFlag() {
		name += "=" + f.FormatPlaceHolder()
	}
	return name
}

// flagRows are the two columns of a command's Flags: section.
func flagRows(flags []*kingpin.FlagModel) [][2]string {
	haveShort := false
	for _, f := range flags {
		haveShort = haveShort || f.Short != 0
	}
	var rows [][2]string
	for _, f := range flags {
		if f.Hidden {
			continue
		}
		left := flagName(f)
		switch {
		case f.Short != 0:
			left = fmt.Sprintf("-%c, %s", f.Short, left)
		case haveShort:
			left = "    " + left
		}
		rows = append(rows, [2]string{left, f.HelpWithEnvar()})
	}
	return rows
}

// commandGroups sorts the visible top-level commands of app into
// helpGroups, each with the first sentence of its help and, for a command
// with subcommands, their names.
func commandGroups(app *kingpin.ApplicationModel) []helpGroup {
	byName := map[string]*kingpin.CmdModel{}
	for _, c := range app.Commands {
		if !c.Hidden {
			byName[c.Name] = c
		}
	}
	row := func(c *kingpin.CmdModel, text string) [2]string {
		var subs []string
		for _, s := range c.Commands {
			if !s.Hidden {
				subs = append(subs, s.Name)
			}
		}
		if len(subs) > 0 {
			text += " (" + strings.Join(subs, ", ") + ")"
		}
		return [2]string{c.Name, text}
	}
	var groups []helpGroup
	for _, g := range helpGroups {
		hg := helpGroup{Title: g.title}
		for _, entry := range g.commands {
			if c, ok := byName[entry[0]]; ok {
				hg.Rows = append(hg.Rows, row(c, entry[1]))
				delete(byName, entry[0])
			}
		}
		if len(hg.Rows) > 0 {
			groups = append(groups, hg)
		}
	}
	other := helpGroup{Title: "Other"}
	for _, c := range app.Commands {
		if _, ok := byName[c.Name]; ok {
			other.Rows = append(other.Rows, row(c, firstSentence(c.Help)))
		}
	}
	if len(other.Rows) > 0 {
		groups = append(groups, other)
	}
	return groups
}

// firstSentence is s up to its first ". ", so that a command's line in a
// listing stays short.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(s, ".")
}

// globalFlagNames lists the visible global flags by name.
func globalFlagNames(app *kingpin.ApplicationModel) string {
	var names []string
	for _, f := range app.Flags {
		if !f.Hidden {
			names = append(names, "--"+f.Name)
		}
	}
	return "Global flags: " + strings.Join(names, ", ")
}

// errSubcommandsListed ends a run of a command given without its
// subcommand, once the subcommands are listed: Report exits 0 for it.
var errSubcommandsListed = &ExitError{Code: 0, Silent: true}

// addSubcommandListings makes every command that has subcommands but no
// default one list them when given alone, so that `sentinel policy` shows
// what it can do instead of a parse error. It is a pre-action: kingpin
// runs those before it reports the missing subcommand, and not while
// completing (so completion still offers the subcommands).
func addSubcommandListings(app *kingpin.Application, g *Globals, model *kingpin.ApplicationModel) {
	for _, c := range model.Commands {
		if len(c.Commands) == 0 || hasDefaultCommand(c.Commands) {
			continue
		}
		parent, model := app.GetCommand(c.Name), c
		parent.PreAction(func(ctx *kingpin.ParseContext) error {
			if ctx.SelectedCommand != parent || !ctx.EOL() || helpAsked(app, ctx) {
				return nil
			}
			if err := writeSubcommands(g.Stdout, app.Name, model); err != nil {
				return err
			}
			return errSubcommandsListed
		})
	}
}

// helpAsked reports whether --help is on the command line: kingpin's own
// help then shows the command in full.
func helpAsked(app *kingpin.Application, ctx *kingpin.ParseContext) bool {
	return slices.ContainsFunc(ctx.Elements, func(e *kingpin.ParseElement) bool {
		f, ok := e.Clause.(*kingpin.FlagClause)
		return ok && f == app.HelpFlag
	})
}

func hasDefaultCommand(cmds []*kingpin.CmdModel) bool {
	return slices.ContainsFunc(cmds, func(c *kingpin.CmdModel) bool { return c.Default })
}

// subcommandsTemplate is what a command without a default subcommand
// prints when given none.
const subcommandsTemplate = `usage: {{.App}} {{.Cmd.Name}} <command> [<args> ...]

{{.Cmd.Help}}

Subcommands:
{{range .Rows}}  {{index . 0}}{{index . 1}}
{{end}}
Run "{{.App}} help {{.Cmd.Name}} COMMAND" for a subcommand's flags and arguments.
`

// writeSubcommands prints the visible subcommands of cmd with the first
// sentence of their help.
func writeSubcommands(w io.Writer, appName string, cmd *kingpin.CmdModel) error {
	width := 0
	for _, s := range cmd.Commands {
		width = max(width, len(s.Name))
	}
	var rows [][2]string
	for _, s := range cmd.Commands {
		if !s.Hidden {
			rows = append(rows, [2]string{s.Name, strings.Repeat(" ", width-len(s.Name)+2) + firstSentence(s.Help)})
		}
	}
	t := template.Must(template.New("subcommands").Parse(subcommandsTemplate))
	return t.Execute(w, map[string]any{"App": appName, "Cmd": cmd, "Rows": rows})
}
