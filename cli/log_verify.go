package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/config"
	"github.com/sentinel-cli/sentinel/logging"
)

// logVerifyFlags are the flags of `log verify`.
type logVerifyFlags struct {
	files    []string
	head     string
	keyFile  string
	anchors  bool
	noFollow bool
}

func configureLogVerifyCommand(parent *kingpin.CmdClause, g *Globals) {
	var f logVerifyFlags
	cmd := parent.Command("verify", "Check the decision log's hash chain (and macs, recorded heads, anchors): exit 0 if intact, 1 naming the first broken line.")
	cmd.Arg("file", "Log files to check (default: the resolved decision log). Rotated files each one continues are checked too.").StringsVar(&f.files)
	cmd.Flag("head", "A head recorded earlier (HASH or SEQ:HASH) that must still be in the chain.").PlaceHolder("HASH").StringVar(&f.head)
	cmd.Flag("key-file", "HMAC key of keyed mode (default log_hmac_key_file in the config).").PlaceHolder("FILE").StringVar(&f.keyFile)
	cmd.Flag("anchors", "Also check the log against every anchor in log_anchors that can be read back.").BoolVar(&f.anchors)
	cmd.Flag("no-follow", "Check only the file given, not the rotated files it continues.").BoolVar(&f.noFollow)
	cmd.Action(g.action(func(ctx context.Context, g *Globals) error {
		return runLogVerify(ctx, g, f)
	}))
}

// runLogVerify checks each file and prints one line per file: OK with the
// count and the head, or the first broken line.
func runLogVerify(ctx context.Context, g *Globals, f logVerifyFlags) error {
	cfg, err := g.Config()
	if err != nil {
		return err
	}
	files := f.files
	if len(files) == 0 {
		files = []string{cfg.LogPath(g.LogFile)}
	}
	opts := logging.VerifyOptions{NoFollow: f.noFollow}
	if f.head != "" {
		h, err := parseHead(f.head)
		if err != nil {
			return fmt.Errorf("--head: %w", err)
		}
		opts.Expect = append(opts.Expect, h)
	}
	keyFile := cmp.Or(f.keyFile, cfg.LogHMACKeyFile)
	if keyFile != "" {
		if opts.Key, err = logging.ReadKeyFile(keyFile); err != nil {
			return err
		}
	}
	failed := 0
	for _, path := range files {
		err := verifyOne(ctx, g, cfg, path, opts, f.anchors)
		if err == nil {
			continue
		}
		if len(files) == 1 {
			return err
		}
		Report(g.Stderr, err)
		failed++
	}
	if failed > 0 {
		return &ExitError{Code: 1, Silent: true}
	}
	return nil
}

// verifyOne checks one log and prints its OK line.
func verifyOne(ctx context.Context, g *Globals, cfg *config.Config, path string, opts logging.VerifyOptions, anchors bool) error {
	g.Debugf("verifying decision log %s", path)
	checked := 0
	if anchors {
		heads, err := readAnchors(ctx, g, cfg, path)
		if err != nil {
			return err
		}
		opts.Expect = append(opts.Expect, heads...)
		checked = len(heads)
	}
	rep, err := logging.VerifyLog(path, opts)
	var ce *logging.ChainError
	var ee *logging.ExpectError
	switch {
	case errors.Is(err, os.ErrNotExist) && rep.Entries == 0 && len(opts.Expect) == 0 && !errors.As(err, &ce):
		return withHint(fmt.Errorf("%s: no such file", path), "nothing has been logged yet, or pass the log file to check")
	case errors.As(err, &ce):
		where := ce.Error()
		if ce.File == "" {
			where = path + ": " + where
		}
		if rep.Entries > 0 {
			where += fmt.Sprintf(" (%d %s before it intact)", rep.Entries, plural(rep.Entries, "entry", "entries"))
		}
		return &ExitError{Code: 1, Err: errors.New(where)}
	case errors.As(err, &ee):
		return &ExitError{Code: 1, Err: fmt.Errorf("%s: %s", path, ee.Problem)}
	case errors.Is(err, os.ErrNotExist):
		return &ExitError{Code: 1, Err: fmt.Errorf("%s: no such file", path)}
	case err != nil:
		return &ExitError{Code: 1, Err: fmt.Errorf("%s: %w", path, err)}
	}
	var extra []string
	if len(rep.Files) > 1 {
		extra = append(extra, fmt.Sprintf("%d files", len(rep.Files)))
	}
	if rep.Keyed {
		extra = append(extra, "macs checked")
	}
	if opts.Expect != nil && len(opts.Expect) > checked {
		extra = append(extra, "recorded head found")
	}
	if anchors {
		extra = append(extra, fmt.Sprintf("%d %s checked", checked, plural(checked, "anchor", "anchors")))
	}
	more := ""
	if len(extra) > 0 {
		more = "; " + strings.Join(extra, ", ")
	}
	fmt.Fprintf(g.Stdout, "%s: OK: %d %s, head %s (seq %d)%s\n", path, rep.Entries, plural(rep.Entries, "entry", "entries"), rep.LastHash, rep.LastSeq, more)
	return nil
}

// readAnchors reads the last head of the log at path from every anchor
// that can be read back. An anchor that cannot be read fails the check
// (fail closed); one that holds no head yet is a warning.
func readAnchors(ctx context.Context, g *Globals, cfg *config.Config, path string) ([]logging.Head, error) {
	sources := anchorSources(g, cfg)
	if len(sources) == 0 {
		return nil, withHint(errors.New("--anchors: no anchor in log_anchors can be read back"),
			"webhook anchors keep their heads at the receiver: compare with --head; add `- store: true` to log_anchors to check locally")
	}
	ctx, cancel := context.WithTimeout(ctx, anchorTimeout)
	defer cancel()
	id := logID(path)
	var heads []logging.Head
	for _, s := range sources {
		h, ok, err := s.LastAnchor(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("read anchor %s: %w", s, err)
		}
		if !ok {
			fmt.Fprintf(g.Stderr, "sentinel: warning: %s holds no anchor for %s yet\n", s, path)
			continue
		}
		heads = append(heads, h)
	}
	return heads, nil
}

// parseHead reads HASH or SEQ:HASH.
func parseHead(s string) (logging.Head, error) {
	var h logging.Head
	if i := strings.IndexByte(s, ':'); i >= 0 {
		seq, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil || seq <= 0 {
			return h, errors.New("want HASH or SEQ:HASH with a positive SEQ")
		}
		h.Seq, s = seq, s[i+1:]
	}
	h.Hash = strings.ToLower(s)
	if err := logging.ValidHead(h, true); err != nil {
		return h, err
	}
	return h, nil
}

// plural picks the word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
