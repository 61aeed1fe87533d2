package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"
)

// recordKind declares how the cli lists and shows one kind of record
// (requests, break-glass events, sessions): its filters, how to fetch it,
// its JSON document V and its table columns and detail lines. The list
// and show commands of every kind are this one path fed by a declaration;
// each command file keeps only its name, its help and what is truly its
// own.
type recordKind[T, Q, V any] struct {
	// statuses are the values --status takes; statusHelp is its help.
	statuses   []string
	statusHelp string
	setStatus  func(q *Q, status string)
	// filters are the other filter flags, in the order they are listed.
	filters []filterFlag[Q]
	// idHelp is the help of the ID argument of show.
	idHelp string

	list func(ops Operations, ctx context.Context, q Q) ([]T, error)
	get  func(ops Operations, ctx context.Context, id string) (T, error)
	// refused adds what a person can do next to an error of list or get;
	// nil leaves errors as they are.
	refused func(error) error

	// view is the JSON document of one record as of now.
	view func(it T, now time.Time) V
	// columns are the table's columns, in order.
	columns []column[T, V]
	// detail writes the lines of show.
	detail func(w io.Writer, r shown[T, V])
}

// filterFlag is one filter of a listing: a string flag that sets part of
// the query.
type filterFlag[Q any] struct {
	name, help string
	set        func(q *Q, value string)
}

// column is one column of a kind's table.
type column[T, V any] struct {
	header string
	cell   func(r shown[T, V]) string
}

// shown is one record as it is being shown: the record, its view and the
// time the view was taken at.
type shown[T, V any] struct {
	it  T
	v   V
	now time.Time
}

func (k *recordKind[T, Q, V]) shown(it T, now time.Time) shown[T, V] {
	return shown[T, V]{it: it, v: k.view(it, now), now: now}
}

// writeTable writes items as the kind's table.
func (k *recordKind[T, Q, V]) writeTable(w io.Writer, items []T, now time.Time) error {
	t := newTable(w)
	cells := make([]string, len(k.columns))
	for i, c := range k.columns {
		cells[i] = c.header
	}
	fmt.Fprintln(t, strings.Join(cells, "\t"))
	for _, it := range items {
		r := k.shown(it, now)
		for i, c := range k.columns {
			cells[i] = c.cell(r)
		}
		fmt.Fprintln(t, strings.Join(cells, "\t"))
	}
	return t.Flush()
}

// writeList writes items as a table, or with --output json as an array of
// views.
func (k *recordKind[T, Q, V]) writeList(w io.Writer, items []T, output string) error {
	now := time.Now()
	if output == "json" {
		views := make([]V, 0, len(items))
		for _, it := range items {
			views = append(views, k.view(it, now))
		}
		return writeJSON(w, views)
	}
	return k.writeTable(w, items, now)
}

// writeOne writes one record's detail lines, or with --output json its
// view.
func (k *recordKind[T, Q, V]) writeOne(w io.Writer, it T, output string) error {
	now := time.Now()
	if output == "json" {
		return writeJSON(w, k.view(it, now))
	}
	k.detail(w, k.shown(it, now))
	return nil
}

func (k *recordKind[T, Q, V]) refuse(err error) error {
	if k.refused == nil {
		return err
	}
	return k.refused(err)
}

// recordListCommand is the list command of one kind.
type recordListCommand[T, Q, V any] struct {
	kind   *recordKind[T, Q, V]
	status string
	values []string
	output string
}

// configure registers the kind's --status, its filters and --output on
// cmd; more registers the flags a kind adds of its own before --output.
func (c *recordListCommand[T, Q, V]) configure(cmd *kingpin.CmdClause, more func(*kingpin.CmdClause)) {
	cmd.Flag("status", c.kind.statusHelp).EnumVar(&c.status, c.kind.statuses...)
	c.values = make([]string, len(c.kind.filters))
	for i, f := range c.kind.filters {
		cmd.Flag(f.name, f.help).StringVar(&c.values[i])
	}
	if more != nil {
		more(cmd)
	}
	outputFlag(cmd, &c.output)
}

// query is the query the flags given fill.
func (c *recordListCommand[T, Q, V]) query() Q {
	var q Q
	c.kind.setStatus(&q, c.status)
	for i, f := range c.kind.filters {
		f.set(&q, c.values[i])
	}
	return q
}

func (c *recordListCommand[T, Q, V]) run(ctx context.Context, g *Globals) error {
	ops, err := g.operations("")
	if err != nil {
		return err
	}
	items, err := c.kind.list(ops, ctx, c.query())
	if err != nil {
		return c.kind.refuse(err)
	}
	return c.kind.writeList(g.Stdout, items, c.output)
}

// recordShowCommand is the show command of one kind.
type recordShowCommand[T, Q, V any] struct {
	kind   *recordKind[T, Q, V]
	id     string
	output string
}

func (c *recordShowCommand[T, Q, V]) configure(cmd *kingpin.CmdClause) {
	cmd.Arg("id", c.kind.idHelp).Required().StringVar(&c.id)
	outputFlag(cmd, &c.output)
}

func (c *recordShowCommand[T, Q, V]) run(ctx context.Context, g *Globals) error {
	ops, err := g.operations("")
	if err != nil {
		return err
	}
	it, err := c.kind.get(ops, ctx, c.id)
	if err != nil {
		return c.kind.refuse(err)
	}
	return c.kind.writeOne(g.Stdout, it, c.output)
}
