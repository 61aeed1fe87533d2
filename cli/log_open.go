package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sentinel-cli/sentinel/config"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/store/local"
	"github.com/sentinel-cli/sentinel/teamclient"
	"github.com/sentinel-cli/sentinel/vault"
)

// anchorTimeout bounds one round of anchoring (all anchors) so that the
// append that triggered it is not held up for long.
const anchorTimeout = 5 * time.Second

// openDecisionLog opens the configured decision log with its keyed mode,
// rotation and anchors.
func (g *Globals) openDecisionLog(cfg *config.Config) (*logging.Logger, error) {
	path := cfg.LogPath(g.LogFile)
	// An STS endpoint that is not AWS's own (AWS_ENDPOINT_URL_STS, read
	// at start) goes on every entry: a decision made against a stand-in
	// must not read like one STS vouched for.
	opts := logging.Options{MaxBytes: cfg.LogMaxBytes, ID: logID(path), STSEndpoint: vault.NonAWSSTSEndpoint(environment().STS.Endpoint)}
	if cfg.LogHMACKeyFile != "" {
		key, err := logging.ReadKeyFile(cfg.LogHMACKeyFile)
		if err != nil {
			return nil, err
		}
		opts.Key = key
	}
	if anchors := logAnchors(g, cfg); len(anchors) > 0 {
		opts.AnchorEvery = cfg.LogAnchorEvery
		opts.OnAnchor = func(h logging.Head) {
			ctx, cancel := context.WithTimeout(context.Background(), anchorTimeout)
			defer cancel()
			// A failed anchor must not fail the decision that was logged:
			// it is a warning, and `log anchor` can be run again.
			if err := logging.AnchorAll(ctx, anchors, h); err != nil {
				fmt.Fprintf(g.Stderr, "sentinel: warning: log anchor at seq %d: %s\n", h.Seq, oneLine(err.Error()))
			}
		}
	}
	return logging.OpenWith(path, opts)
}

// logID names a log in anchors: the machine and the absolute path, which
// stay the same across rotations.
func logID(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return host + ":" + abs
}

// logAnchors builds the anchors of the config's log_anchors and, in team
// mode, the team service: it records the head under the caller's proven
// identity, where the caller cannot move it back (the strong anchor).
func logAnchors(g *Globals, cfg *config.Config) []logging.Anchorer {
	var out []logging.Anchorer
	if cfg.Server.Configured() {
		out = append(out, &teamLogAnchor{g: g, url: cfg.Server.URL})
	}
	for _, a := range cfg.LogAnchors {
		switch {
		case a.Webhook != "":
			out = append(out, &logging.WebhookAnchorer{URL: a.Webhook})
		case a.Store:
			out = append(out, storeAnchor{cfg: cfg})
		}
	}
	return out
}

// anchorSources are the configured anchors that can be read back.
func anchorSources(g *Globals, cfg *config.Config) []logging.AnchorSource {
	var out []logging.AnchorSource
	for _, a := range logAnchors(g, cfg) {
		if s, ok := a.(logging.AnchorSource); ok {
			out = append(out, s)
		}
	}
	return out
}

// errStoreAnchorBackend means log_anchors names the store while the store
// backend keeps no anchors.
var errStoreAnchorBackend = errors.New("the dynamodb store backend keeps no log anchors yet; use store.backend local or a webhook")

// storeAnchor opens the shared store for each use, so that a Logger that
// never anchors never opens it.
type storeAnchor struct{ cfg *config.Config }

func (s storeAnchor) String() string { return "store (" + s.cfg.Store.Backend + ")" }

func (s storeAnchor) open() (*local.Store, error) {
	if s.cfg.Store.Backend != config.BackendLocal {
		return nil, errStoreAnchorBackend
	}
	return local.Open(s.cfg.Store.Path, local.Options{})
}

func (s storeAnchor) Anchor(ctx context.Context, h logging.Head) error {
	st, err := s.open()
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Anchors().Anchor(ctx, h)
}

func (s storeAnchor) LastAnchor(ctx context.Context, log string) (logging.Head, bool, error) {
	st, err := s.open()
	if err != nil {
		return logging.Head{}, false, err
	}
	defer st.Close()
	return st.Anchors().LastAnchor(ctx, log)
}

// teamLogAnchor is the team service as a log anchor. The client is built
// on first use, so opening the log costs nothing until an anchor is due
// (the warm path of credentials reads no key for it).
type teamLogAnchor struct {
	g   *Globals
	url string
}

func (t *teamLogAnchor) String() string { return "team service " + t.url }

func (t *teamLogAnchor) anchors() (*teamclient.Anchors, error) {
	c, err := t.g.teamClient("")
	if err != nil {
		return nil, err
	}
	return c.Anchors(), nil
}

// Anchor records h in the team service.
func (t *teamLogAnchor) Anchor(ctx context.Context, h logging.Head) error {
	a, err := t.anchors()
	if err != nil {
		return err
	}
	return a.Anchor(ctx, h)
}

// LastAnchor reads the caller's head of log back from the team service.
func (t *teamLogAnchor) LastAnchor(ctx context.Context, log string) (logging.Head, bool, error) {
	a, err := t.anchors()
	if err != nil {
		return logging.Head{}, false, err
	}
	return a.LastAnchor(ctx, log)
}
