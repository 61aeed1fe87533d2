package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/internal/field"
	"github.com/sentinel-cli/sentinel/logging"
)

// followPoll is how often `log show --follow` looks for new lines.
const followPoll = 250 * time.Millisecond

// logShowFlags are the flags of `log show`.
type logShowFlags struct {
	since, until string
	user         string
	profile      string
	effect       string
	event        string
	follow       bool
	output       string
	utc          bool
}

func configureLogShowCommand(parent *kingpin.CmdClause, g *Globals) {
	var f logShowFlags
	cmd := parent.Command("show", "Show decision log entries, across rotated files, filtered.").Default()
	cmd.Flag("since", "Only entries at or after this: a duration back from now (2h, 7d) or an RFC 3339 time.").StringVar(&f.since)
	cmd.Flag("until", "Only entries before this: a duration back from now or an RFC 3339 time.").StringVar(&f.until)
	cmd.Flag("user", "Only entries of this user (as user or actor).").StringVar(&f.user)
	cmd.Flag("profile", "Only entries for this profile.").StringVar(&f.profile)
	cmd.Flag("effect", "Only decisions with this effect.").EnumVar(&f.effect, "allow", "deny")
	cmd.Flag("event", "Only entries of this event (decision, request.created, ...).").StringVar(&f.event)
	cmd.Flag("follow", "Keep printing entries as they are appended (Ctrl-C stops).").Short('f').BoolVar(&f.follow)
	cmd.Flag("utc", "Show times in UTC instead of local time.").BoolVar(&f.utc)
	outputFlag(cmd, &f.output)
	cmd.Action(g.action(func(ctx context.Context, g *Globals) error {
		return runLogShow(ctx, g, f)
	}))
}

// logFilter is the parsed filter of `log show`.
type logFilter struct {
	since, until time.Time
	user         string
	profile      string
	effect       string
	event        string
}

func (f logFilter) match(e *logging.Entry) bool {
	switch {
	case !f.since.IsZero() && e.Time.Before(f.since),
		!f.until.IsZero() && !e.Time.Before(f.until),
		f.user != "" && e.User != f.user && e.Actor != f.user,
		f.profile != "" && e.Profile != f.profile,
		f.effect != "" && e.Effect != f.effect,
		f.event != "" && e.Event != f.event:
		return false
	}
	return true
}

// parseWhen reads a --since/--until value: a duration back from now
// (Go durations plus a "d" for days) or an RFC 3339 time.
func parseWhen(flag, s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 && n <= 36500 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("--%s %q: want a duration such as 2h or 7d, or an RFC 3339 time", flag, s)
}

func runLogShow(ctx context.Context, g *Globals, f logShowFlags) error {
	now := time.Now()
	var flt logFilter
	var err error
	if flt.since, err = parseWhen("since", f.since, now); err != nil {
		return err
	}
	if flt.until, err = parseWhen("until", f.until, now); err != nil {
		return err
	}
	flt.user, flt.profile, flt.effect, flt.event = f.user, f.profile, f.effect, f.event
	cfg, err := g.Config()
	if err != nil {
		return err
	}
	path := cfg.LogPath(g.LogFile)

	loc := time.Local
	if f.utc {
		loc = time.UTC
	}
	out := newLogPrinter(g.Stdout, f.output, loc)
	show := func(r logging.Record) error {
		if !flt.match(&r.Entry) {
			return nil
		}
		return out.print(r)
	}
	// With --since the log is read from its end: the cost follows the
	// entries shown, not the log's size.
	st, err := logging.ReadLogSince(path, flt.since, show)
	if err != nil {
		if os.IsNotExist(err) && !f.follow {
			return withHint(fmt.Errorf("%s: no such file", path), "nothing has been logged yet")
		}
		if !os.IsNotExist(err) {
			return err
		}
	}
	if err := out.flush(); err != nil {
		return err
	}
	if st.Gap != nil {
		fmt.Fprintf(g.Stderr, "sentinel: warning: %s; older entries are missing\n", st.Gap)
	}
	if st.Skipped > 0 {
		fmt.Fprintf(g.Stderr, "sentinel: warning: %d %s could not be read; run sentinel log verify\n", st.Skipped, plural(st.Skipped, "line", "lines"))
	}
	if !f.follow {
		return nil
	}
	return logging.Follow(ctx, path, st.LastSeq, followPoll, func(r logging.Record) error {
		if err := show(r); err != nil {
			return err
		}
		return out.flush()
	})
}

// logPrinter writes records as an aligned table or as JSON Lines.
type logPrinter struct {
	w      io.Writer
	json   bool
	loc    *time.Location
	tw     *tabwriter.Writer
	header bool
}

func newLogPrinter(w io.Writer, output string, loc *time.Location) *logPrinter {
	p := &logPrinter{w: w, json: output == "json", loc: loc}
	if !p.json {
		p.tw = newTable(w)
	}
	return p
}

// print writes one record. JSON Lines are the stored lines as they are:
// each was parsed as one JSON object already, and keeping the bytes keeps
// the hash and mac checkable.
func (p *logPrinter) print(r logging.Record) error {
	if p.json {
		_, err := fmt.Fprintf(p.w, "%s\n", r.Raw)
		return err
	}
	if !p.header {
		fmt.Fprintln(p.tw, "TIME\tSEQ\tEVENT\tUSER\tPROFILE\tEFFECT\tRULE\tDETAIL")
		p.header = true
	}
	e := &r.Entry
	user := cmp.Or(e.User, e.Actor)
	_, err := fmt.Fprintf(p.tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n",
		e.Time.In(p.loc).Format("2006-01-02 15:04:05 MST"), e.Seq,
		cell(e.Event), cell(user), cell(e.Profile), cell(e.Effect), cell(e.Rule), cell(detail(e)))
	return err
}

// flush writes out the table so far.
func (p *logPrinter) flush() error {
	if p.tw != nil {
		return p.tw.Flush()
	}
	return nil
}

// detail is the one thing most worth seeing about an entry besides the
// columns.
func detail(e *logging.Entry) string {
	var parts []string
	if e.Subject != "" {
		parts = append(parts, e.Subject)
	}
	for _, s := range []string{e.Reason, e.Justification, e.Comment, e.Note} {
		if s != "" {
			parts = append(parts, s)
			break
		}
	}
	return strings.Join(parts, ": ")
}

// cell makes stored text safe for one table cell on a terminal: "-" when
// empty, and every character that could move the cursor, change colours,
// reorder text or break the columns (control characters, tabs, bidi and
// zero-width characters, invalid UTF-8) shown as an escape instead.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return termSafe(s)
}

// termSafe escapes what field.Unsafe refuses, and invalid UTF-8.
func termSafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case field.Unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}
