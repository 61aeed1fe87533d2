package e2e

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/cli"
)

// docCommand is one `sentinel ...` command line found in the docs.
type docCommand struct {
	where string // file:line
	text  string
}

// inlineCommand is an inline code span holding a sentinel command.
var inlineCommand = regexp.MustCompile("`(sentinel(?: [^`]*)?)`")

// commandStart finds "sentinel" as a command inside a code line: at the
// start, after a prompt, after "= " (credential_process = sentinel ...) or
// inside a process substitution.
var commandStart = regexp.MustCompile(`(?:^|\$ |= |<\(|\$\()sentinel(?: |$|\))`)

// docFiles are the README and every page under docs/.
func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join("..", "README.md")}, files...)
}

// extractCommands returns every sentinel command line in the code blocks
// (fenced or indented) and inline code spans of a Markdown file.
func extractCommands(t *testing.T, path string) []docCommand {
	t.Helper()
	var out []docCommand
	inFence := false
	for i, line := range fileLines(t, path) {
		n := i + 1
		trimmed := strings.TrimSpace(line)
		where := filepath.Base(path) + ":" + strconv.Itoa(n)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			inFence = !inFence
			continue
		}
		if inFence || strings.HasPrefix(line, "    ") {
			if loc := commandStart.FindStringIndex(trimmed); loc != nil {
				start := strings.Index(trimmed[loc[0]:], "sentinel") + loc[0]
				text := trimmed[start:]
				if strings.Contains(trimmed[:start], "(") {
					// <(sentinel completion bash): up to the closing parenthesis.
					text, _, _ = strings.Cut(text, ")")
				}
				out = append(out, docCommand{where: where, text: text})
			}
			continue
		}
		for _, m := range inlineCommand.FindAllStringSubmatch(line, -1) {
			out = append(out, docCommand{where: where, text: m[1]})
		}
	}
	return out
}

// fileLines reads path and returns its lines, as bufio.Scanner splits
// them.
func fileLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// shellWords splits a command line the way a shell would for our
// purposes: quotes group, and the line ends at a comment, a pipe, a
// redirection or a command separator.
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			flush()
		case r == '#' && !inWord:
			flush()
			return words
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	flush()
	for i, w := range words {
		if w == "|" || w == "||" || w == "&&" || w == ";" || strings.HasPrefix(w, ">") || strings.HasPrefix(w, "2>") {
			return words[:i]
		}
	}
	return words
}

// commandModel is the command tree of the binary under test, built from
// the same code (cli.Configure) so that the walk below knows which flags
// take a value.
func commandModel() *kingpin.ApplicationModel {
	app := kingpin.New("sentinel", "")
	app.Version(cli.VersionLine())
	app.HelpFlag.Short('h')
	cli.Configure(app, &bytes.Buffer{}, &bytes.Buffer{})
	return app.Model()
}

// parsedDoc is what a documented command line names.
type parsedDoc struct {
	// paths are the command paths named (several for list|show).
	paths [][]string
	// flags are the flags named, as written ("--output", "-o").
	flags []string
	// synopsis is true for a usage line ([optional], a|b, ...) that
	// cannot be run as it is.
	synopsis bool
	// args are the words to run, up to "--", when not a synopsis.
	args []string
}

func parseDoc(model *kingpin.ApplicationModel, words []string) (parsedDoc, string) {
	var p parsedDoc
	words = words[1:] // "sentinel"
	for _, w := range words {
		if strings.ContainsAny(w, "[]|") || strings.Contains(w, "...") {
			p.synopsis = true
		}
	}
	if cut := indexOf(words, "--"); cut >= 0 {
		words = words[:cut]
	}
	p.args = words
	levels := [][]*kingpin.CmdModel{model.Commands}
	paths := [][]string{{}}
	flags := append([]*kingpin.FlagModel{}, model.Flags...)
	takesValue := func(name string) bool {
		for _, f := range flags {
			if name == "--"+f.Name || (f.Short != 0 && name == "-"+string(f.Short)) {
				return !f.IsBoolFlag()
			}
		}
		return false
	}
	descending := true
	for i := 0; i < len(words); i++ {
		w := strings.Trim(words[i], "[]")
		if w == "" || w == "..." {
			continue
		}
		if strings.HasPrefix(w, "-") {
			name, _, hasValue := strings.Cut(w, "=")
			p.flags = append(p.flags, name)
			if !hasValue && takesValue(name) {
				i++
			}
			continue
		}
		if !descending {
			continue
		}
		// Several alternatives (list|show) each name a command.
		var nextLevels [][]*kingpin.CmdModel
		var nextPaths [][]string
		var missing []string
		for li, level := range levels {
			for _, alt := range strings.Split(w, "|") {
				var found *kingpin.CmdModel
				for _, c := range level {
					if c.Name == alt || indexOf(c.Aliases, alt) >= 0 {
						found = c
					}
				}
				if found == nil {
					missing = append(missing, alt)
					continue
				}
				nextLevels = append(nextLevels, found.Commands)
				nextPaths = append(nextPaths, append(append([]string{}, paths[li]...), found.Name))
				flags = append(flags, found.Flags...)
			}
		}
		switch {
		case len(nextPaths) > 0 && len(missing) > 0:
			return p, "no subcommand " + strings.Join(missing, ", ") + " beside " + strings.Join(nextPaths[0][:len(nextPaths[0])-1], " ") + " " + nextPaths[0][len(nextPaths[0])-1]
		case len(nextPaths) > 0:
			levels, paths = nextLevels, nextPaths
		case len(paths[0]) == 0:
			return p, "no command " + w
		case len(levels[0]) > 0 && !hasDefault(levels[0]):
			return p, "no subcommand " + w + " under " + strings.Join(paths[0], " ")
		default:
			// A positional argument: the command path is complete.
			descending = false
		}
	}
	// A command whose subcommand was left out runs its default one
	// (`sentinel requests` is `sentinel requests list`): its flags are
	// the ones the line may name.
	for i, level := range levels {
		for _, c := range level {
			if c.Default {
				paths[i] = append(paths[i], c.Name)
			}
		}
	}
	p.paths = paths
	return p, ""
}

func hasDefault(cmds []*kingpin.CmdModel) bool {
	for _, c := range cmds {
		if c.Default {
			return true
		}
	}
	return false
}

func indexOf(list []string, s string) int {
	for i, e := range list {
		if e == s {
			return i
		}
	}
	return -1
}

// helpFlags are the flags a command's --help lists, long and short.
var helpFlag = regexp.MustCompile(`(?m)^\s+(?:-(\w), )?--(?:\[no-\])?([a-z0-9-]+)`)

// globalFlag is a flag named in the top-level help's "Global flags:" list.
var globalFlag = regexp.MustCompile(`--([a-z0-9-]+)`)

// TestDocsCommandsExist runs, for every sentinel command line in the
// README and docs/, `sentinel <command path> --help` against the built
// binary and checks that every flag the line names is one that command
// knows; a line that is not a usage synopsis is also run whole, with
// --help appended, so its arguments and flags parse.
func TestDocsCommandsExist(t *testing.T) {
	model := commandModel()
	w := newWorld(t)
	p := w.newPerson("docs")
	helps := map[string]string{}
	help := func(path []string) (string, bool) {
		key := strings.Join(path, " ")
		if h, ok := helps[key]; ok {
			return h, true
		}
		r := p.run(append(append([]string{}, path...), "--help")...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "usage: sentinel") {
			return r.String(), false
		}
		helps[key] = r.stdout
		return r.stdout, true
	}
	seen := 0
	for _, file := range docFiles(t) {
		for _, dc := range extractCommands(t, file) {
			seen++
			words := shellWords(dc.text)
			if len(words) == 0 || words[0] != "sentinel" {
				continue
			}
			parsed, problem := parseDoc(model, words)
			if problem != "" {
				t.Errorf("%s: `%s`: %s", dc.where, dc.text, problem)
				continue
			}
			for _, path := range parsed.paths {
				out, ok := help(path)
				if !ok {
					t.Errorf("%s: `%s`: sentinel %s --help failed: %s", dc.where, dc.text, strings.Join(path, " "), out)
					continue
				}
				known := map[string]bool{}
				for _, m := range helpFlag.FindAllStringSubmatch(out, -1) {
					known["--"+m[2]] = true
					if m[1] != "" {
						known["-"+m[1]] = true
					}
				}
				// The top-level help names the global flags on one line.
				if _, globals, ok := strings.Cut(out, "Global flags: "); ok {
					globals, _, _ = strings.Cut(globals, "\n\n")
					for _, m := range globalFlag.FindAllStringSubmatch(globals, -1) {
						known["--"+m[1]] = true
					}
				}
				for _, f := range parsed.flags {
					if !known[f] {
						t.Errorf("%s: `%s`: sentinel %s has no flag %s", dc.where, dc.text, strings.Join(path, " "), f)
					}
				}
			}
			if !parsed.synopsis && len(parsed.paths) == 1 {
				r := p.run(append(append([]string{}, parsed.args...), "--help")...)
				if r.code != 0 {
					t.Errorf("%s: `%s` does not parse: %s", dc.where, dc.text, r)
				}
			}
		}
	}
	if seen < 40 {
		t.Errorf("found only %d sentinel command lines in the docs; is the extraction broken?", seen)
	}
}

// TestDocsPolicies validates every complete policy shown in the docs (a
// YAML block starting with version: "1") and runs its tests.
func TestDocsPolicies(t *testing.T) {
	w := newWorld(t)
	p := w.newPerson("docs")
	found := 0
	for _, file := range docFiles(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		// A policy is a YAML block, or a shell here-document that writes
		// one (cat > policy.yaml <<'EOF' ... EOF).
		var bodies []string
		for _, block := range strings.Split(string(data), "```yaml\n")[1:] {
			body, _, _ := strings.Cut(block, "```")
			bodies = append(bodies, body)
		}
		for _, block := range strings.Split(string(data), "<<'EOF'\n")[1:] {
			body, _, _ := strings.Cut(block, "\nEOF\n")
			bodies = append(bodies, body+"\n")
		}
		for i, body := range bodies {
			if !strings.HasPrefix(body, `version: "1"`) {
				continue
			}
			found++
			path := filepath.Join(t.TempDir(), "policy.yaml")
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			if r := p.run("policy", "validate", path); r.code != 0 {
				t.Errorf("%s, YAML block %d: policy validate: %s", filepath.Base(file), i+1, r)
			}
			if strings.Contains(body, "\ntests:") {
				if r := p.run("policy", "test", path); r.code != 0 {
					t.Errorf("%s, YAML block %d: policy test: %s", filepath.Base(file), i+1, r)
				}
			}
		}
	}
	if found == 0 {
		t.Error("no complete policy found in the docs")
	}
}

// TestExamplePoliciesTestsPass runs `sentinel policy test` on every
// example policy, as CI would.
func TestExamplePoliciesTestsPass(t *testing.T) {
	w := newWorld(t)
	p := w.newPerson("docs")
	files, _ := filepath.Glob(filepath.Join("..", "docs", "examples", "*.yaml"))
	for _, f := range files {
		abs, _ := filepath.Abs(f)
		if r := p.run("policy", "test", abs); r.code != 0 || !strings.Contains(r.stdout, "0 failed") {
			t.Errorf("policy test %s: %s", filepath.Base(f), r)
		}
	}
}

// TestHelpVersionAndSuggestions: --help and --version on stdout; an
// unknown command or flag gets the nearest one as a hint.
func TestHelpVersionAndSuggestions(t *testing.T) {
	w := newWorld(t)
	p := w.newPerson("docs")
	for _, args := range [][]string{{"--help"}, {"--version"}, {"exec", "--help"}, {"policy", "test", "--help"}, {"-h"}} {
		r := p.run(args...)
		if r.code != 0 || r.stdout == "" || r.stderr != "" {
			t.Errorf("sentinel %v: want output on stdout only: %s", args, r)
		}
	}
	if r := p.run("--version"); !regexp.MustCompile(`^sentinel \S+ \(commit \S+, built \S+, go\S+, \w+/\w+\)$`).MatchString(strings.TrimSpace(r.stdout)) {
		t.Errorf("--version printed %q", r.stdout)
	}
	p.mustFail(`expected command but got "exce"\nsentinel: hint: did you mean exec\?`, "exce", "dev")
	p.mustFail(`hint: did you mean validate\?`, "policy", "valdiate")
	p.mustFail(`hint: did you mean --output\?`, "doctor", "--ouptut", "json")
	p.mustFail(`hint: see sentinel --help`, "frobnicate")
}

// TestNoColourWithoutTerminal: no escape codes reach a pipe, and NO_COLOR
// is honoured.
func TestNoColourWithoutTerminal(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(devPolicy + "tests:\n  - {name: wrong, user: alice, profile: dev, effect: deny}\n")
	p := w.newPerson("alice")
	for _, env := range []map[string]string{nil, {"NO_COLOR": "1"}} {
		r := p.runEnv(env, "policy", "test", "-v")
		if r.code != 1 || strings.Contains(r.stdout+r.stderr, "\x1b[") || !strings.Contains(r.stdout, "FAIL ") {
			t.Errorf("policy test to a pipe (env %v): %s", env, r)
		}
	}
	if _, err := exec.LookPath("script"); err != nil {
		return
	}
	// On a terminal (script gives one), colour appears unless NO_COLOR.
	for _, noColor := range []string{"", "1"} {
		cmd := exec.Command("script", "-qec", sentinelBin+" policy test", "/dev/null")
		cmd.Env = append(p.env(), "NO_COLOR="+noColor, "TERM=xterm")
		out, _ := cmd.CombinedOutput()
		coloured := strings.Contains(string(out), "\x1b[31mFAIL")
		if coloured != (noColor == "") {
			t.Errorf("on a terminal with NO_COLOR=%q: coloured %v:\n%q", noColor, coloured, out)
		}
	}
}
