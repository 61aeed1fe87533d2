package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/alecthomas/kingpin/v2"
)

// outputFlag adds --output table|json to a command.
func outputFlag(cmd *kingpin.CmdClause, target *string) {
	cmd.Flag("output", "Output format: table or json.").Short('o').Default("table").EnumVar(target, "table", "json")
}

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newTable returns a writer that aligns tab-separated columns; call Flush.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
}

// remaining renders the time left until t for people ("42m", "1h30m"),
// "expired" when past.
func remaining(t, now time.Time) string {
	d := t.Sub(now)
	if d <= 0 {
		return "expired"
	}
	return humanDuration(d)
}

// endsDetail renders an end time in a detail line: with how long is left
// while the record is active, the time alone otherwise.
func endsDetail(t, now time.Time, active bool) string {
	if active {
		return fmt.Sprintf("%s (%s left)", timeOrDash(t), remaining(t, now))
	}
	return timeOrDash(t)
}

// endsCell renders an end time in a table: how long until it while in
// the future ("in 42m"), the time itself once past.
func endsCell(t, now time.Time) string {
	if t.After(now) {
		return relativeTime(t, now)
	}
	return timeOrDash(t)
}

// timeOrDash renders a time in RFC3339 UTC, "-" when zero.
func timeOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
