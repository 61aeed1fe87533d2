package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/logging"
)

func configureLogAnchorCommand(parent *kingpin.CmdClause, g *Globals) {
	var keyFile string
	cmd := parent.Command("anchor", "Verify the decision log, then record its head in every anchor of log_anchors.")
	cmd.Flag("key-file", "HMAC key of keyed mode (default log_hmac_key_file in the config).").PlaceHolder("FILE").StringVar(&keyFile)
	cmd.Action(g.action(func(ctx context.Context, g *Globals) error {
		return runLogAnchor(ctx, g, keyFile)
	}))
}

// runLogAnchor anchors the head of a verified log: anchoring the head of a
// broken chain would vouch for it.
func runLogAnchor(ctx context.Context, g *Globals, keyFile string) error {
	cfg, err := g.Config()
	if err != nil {
		return err
	}
	anchors := logAnchors(g, cfg)
	if len(anchors) == 0 {
		return withHint(errors.New("no log_anchors in the config"), "add `log_anchors: [{webhook: https://...}]` or `[{store: true}]` to the config")
	}
	path := cfg.LogPath(g.LogFile)
	opts := logging.VerifyOptions{}
	keyFile = cmp.Or(keyFile, cfg.LogHMACKeyFile)
	if keyFile != "" {
		if opts.Key, err = logging.ReadKeyFile(keyFile); err != nil {
			return err
		}
	}
	rep, err := logging.VerifyLog(path, opts)
	if err != nil {
		return withHint(fmt.Errorf("%s: %w", path, err), "the log does not verify, so its head is not anchored; run sentinel log verify")
	}
	if rep.LastSeq == 0 {
		return fmt.Errorf("%s: nothing to anchor: the log is empty", path)
	}
	files := rep.Files
	h := logging.Head{Log: logID(path), File: filepath.Base(files[len(files)-1]), Seq: rep.LastSeq, Hash: rep.LastHash, Time: time.Now().UTC()}
	ctx, cancel := context.WithTimeout(ctx, anchorTimeout)
	defer cancel()
	failed := 0
	for _, a := range anchors {
		if err := a.Anchor(ctx, h); err != nil {
			fmt.Fprintf(g.Stderr, "sentinel: anchor %s: %s\n", a, oneLine(err.Error()))
			failed++
			continue
		}
		fmt.Fprintf(g.Stdout, "anchored seq %d head %s to %s\n", h.Seq, h.Hash, a)
	}
	if failed > 0 {
		return &ExitError{Code: 1, Silent: true}
	}
	return nil
}
