package cli

import (
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/alecthomas/kingpin/v2"
)

// The parse errors of kingpin that name a word the person mistyped.
var (
	// Compiled on first use, not by every process at start-up.
	unknownCommand = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:expected command but got "([^"]*)"|unexpected (\S+))$`)
	})
	// Compiled on first use, not by every process at start-up.
	unknownFlag = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^unknown long flag '--([^']*)'$`) })
)

// Suggest adds to a parse error of app for args a hint naming the nearest
// command or flag, when the error is about an unknown one and something
// is near enough to be what was meant. Other errors are returned as they
// are.
func Suggest(app *kingpin.Application, args []string, err error) error {
	if err == nil {
		return nil
	}
	var word string
	var candidates []string
	ctx, _ := app.ParseContext(args)
	if unknownCommand().MatchString(err.Error()) {
		var ok bool
		if word, candidates, ok = misspeltCommand(app, args); !ok {
			return err
		}
	} else if m := unknownFlag().FindStringSubmatch(err.Error()); m != nil {
		word = m[1]
		candidates = flagNames(app, ctx)
	} else {
		return err
	}
	best := nearest(word, candidates)
	if best == "" {
		return withHint(err, "see sentinel --help")
	}
	if strings.HasPrefix(err.Error(), "unknown long flag") {
		best = "--" + best
	}
	return withHint(err, "did you mean "+best+"?")
}

// misspeltCommand walks args down the command tree and returns the first
// word that is not a command where one is expected, with the commands
// that could have stood there. It skips flags (and the values of flags
// that take one); ok is false when every word before the arguments
// names a command.
func misspeltCommand(app *kingpin.Application, args []string) (word string, candidates []string, ok bool) {
	model := app.Model()
	level := model.Commands
	flags := append([]*kingpin.FlagModel{}, model.Flags...)
	takesValue := func(tok string) bool {
		for _, f := range flags {
			if tok == "--"+f.Name || (f.Short != 0 && tok == "-"+string(f.Short)) {
				return !f.IsBoolFlag()
			}
		}
		return false
	}
	for i := 0; i < len(args); i++ {
		tok := args[i]
		switch {
		case tok == "--":
			return "", nil, false
		case strings.HasPrefix(tok, "-"):
			if !strings.Contains(tok, "=") && takesValue(tok) {
				i++
			}
			continue
		case len(level) == 0:
			return "", nil, false
		}
		var next *kingpin.CmdModel
		for _, c := range level {
			if c.Name == tok || slices.Contains(c.Aliases, tok) {
				next = c
			}
		}
		if next == nil {
			for _, c := range level {
				if !c.Hidden {
					candidates = append(candidates, c.Name)
					candidates = append(candidates, c.Aliases...)
				}
			}
			return tok, candidates, true
		}
		level = next.Commands
		flags = append(flags, next.Flags...)
	}
	return "", nil, false
}

// flagNames are the visible flags of the command parsing stopped in, and
// the global flags.
func flagNames(app *kingpin.Application, ctx *kingpin.ParseContext) []string {
	var out []string
	add := func(flags []*kingpin.FlagModel) {
		for _, f := range flags {
			if !f.Hidden {
				out = append(out, f.Name)
			}
		}
	}
	add(app.Model().Flags)
	if ctx != nil && ctx.SelectedCommand != nil {
		add(ctx.SelectedCommand.Model().Flags)
	}
	return out
}

// nearest returns the candidate closest to word in edit distance, or ""
// when none is close: within a third of the word's length (at least 2),
// or a candidate the word is the start of.
func nearest(word string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := editDistance(word, c)
		if word != "" && strings.HasPrefix(c, word) {
			// A prefix is what completion would have given: as good as
			// one edit.
			d = min(d, 1)
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := max(2, len(word)/3)
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
