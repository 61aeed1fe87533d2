package cli

import (
	"fmt"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/notify"
)

// wireNotify gives a broker that acts on this machine the webhooks of the
// config's notify: section, and a way to warn the person when one of them
// did not take a notification (the action is done either way).
func (g *Globals) wireNotify(b *broker.Broker, hooks []notify.Webhook) error {
	n, err := notify.New(hooks, notify.Options{})
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	b.Notify = n
	b.Warnf = g.warnf
	return nil
}

// warnf prints a warning line on stderr.
func (g *Globals) warnf(format string, args ...any) {
	fmt.Fprintf(g.Stderr, "sentinel: warning: "+format+"\n", args...)
}
