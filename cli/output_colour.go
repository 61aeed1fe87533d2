package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// palette colours status words, or leaves them plain. Colour is only for
// a person at a terminal: never when stdout is a file or a pipe, never
// with NO_COLOR set (https://no-color.org), never with TERM=dumb.
type palette struct{ on bool }

// colours returns the palette for g.Stdout.
func (g *Globals) colours() palette {
	return palette{on: !g.NoColor && isTerminal(g.Stdout)}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// colourDisabled reads, once at start, whether the environment asks for
// no colour: NO_COLOR set to anything but "", or TERM=dumb.
func colourDisabled(getenv func(string) string) bool {
	return getenv("NO_COLOR") != "" || getenv("TERM") == "dumb"
}

func (p palette) paint(code, s string) string {
	if !p.on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p palette) green(s string) string  { return p.paint("32", s) }
func (p palette) red(s string) string    { return p.paint("31", s) }
func (p palette) yellow(s string) string { return p.paint("33", s) }
