package notify

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/sentinel-cli/sentinel/secretref"
)

// Formats of a webhook's body.
const (
	// FormatJSON (the default) sends the Event as JSON.
	FormatJSON = "json"
	// FormatSlack sends a Slack incoming-webhook message.
	FormatSlack = "slack"
)

// Webhook is one receiver, as the notify: section of a config lists it.
type Webhook struct {
	// URL is https, or http only to a loopback host. It is a secret (a
	// Slack URL carries its token) and never appears in a message.
	URL string `yaml:"url"`
	// Events are the events sent to it (see Events); at least one.
	Events []string `yaml:"events"`
	// Format is "json" (default) or "slack".
	Format string `yaml:"format"`
	// SecretFile holds the key that signs the body (see Signature); read
	// when the notifier is built, never inlined in a config.
	SecretFile string `yaml:"secret_file"`
	// Secret names the key in AWS Secrets Manager or SSM Parameter Store
	// instead (secret: {secret_arn: ...} or {ssm: ...}). Only the team
	// service resolves it, once at start, into SecretValue; elsewhere a
	// webhook with a reference is refused.
	Secret secretref.Ref `yaml:"secret"`
	// SecretValue is the key fetched for Secret; never decoded from a
	// config.
	SecretValue []byte `yaml:"-"`
}

// Check validates a webhook's settings; i is its position (from 1) for
// messages, which never show the URL.
func (w Webhook) Check(i int) error {
	if err := checkURL(w.URL); err != nil {
		return fmt.Errorf("notify webhook %d: url %w", i, err)
	}
	if len(w.Events) == 0 {
		return fmt.Errorf("notify webhook %d: events: list at least one of %s", i, strings.Join(Events, ", "))
	}
	seen := map[string]bool{}
	for _, e := range w.Events {
		if !KnownEvent(e) {
			return fmt.Errorf("notify webhook %d: event %q is not one of %s", i, e, strings.Join(Events, ", "))
		}
		if seen[e] {
			return fmt.Errorf("notify webhook %d: event %s listed twice", i, e)
		}
		seen[e] = true
	}
	if !w.Secret.IsZero() {
		if w.SecretFile != "" {
			return fmt.Errorf("notify webhook %d: secret and secret_file exclude each other", i)
		}
		if err := w.Secret.Check(); err != nil {
			return fmt.Errorf("notify webhook %d: secret: %w", i, err)
		}
	}
	switch w.Format {
	case "", FormatJSON, FormatSlack:
	default:
		return fmt.Errorf("notify webhook %d: format %q is not json or slack", i, w.Format)
	}
	return nil
}

// checkURL accepts https to any host, or http to a loopback host only; no
// user info or fragment. The URL itself is never quoted back.
func checkURL(raw string) error {
	if raw == "" {
		return errors.New("is missing")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return errors.New("is not an absolute URL with a host")
	}
	if u.User != nil || u.Fragment != "" {
		return errors.New("must have no user info or fragment")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("uses plain http to %s: only https, or http to a loopback address", u.Hostname())
	}
	return errors.New("scheme must be https")
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// name is how messages refer to webhook i: its position and host.
func name(i int, raw string) string {
	host := "?"
	if u, err := url.Parse(raw); err == nil {
		host = u.Host
	}
	return fmt.Sprintf("webhook %d (%s)", i, host)
}
