package config

import (
	"fmt"
	"net"
	"net/url"
)

// validateLog checks the log_* keys.
func (c *Config) validateLog() error {
	if c.LogAnchorEvery < 0 {
		return fmt.Errorf("log_anchor_every %d is negative", c.LogAnchorEvery)
	}
	if c.LogMaxBytes < 0 {
		return fmt.Errorf("log_max_bytes %d is negative", c.LogMaxBytes)
	}
	for i, a := range c.LogAnchors {
		if (a.Webhook != "") == a.Store {
			return fmt.Errorf("log_anchors[%d]: give exactly one of webhook, store", i)
		}
		if a.Webhook != "" {
			if err := checkWebhookURL(a.Webhook); err != nil {
				return fmt.Errorf("log_anchors[%d].webhook: %w", i, err)
			}
		}
	}
	return nil
}

// checkWebhookURL accepts https URLs, and http ones only to a loopback
// address: a head sent in the clear can be dropped or changed on the way.
// The URL itself is not repeated in errors: it may carry a token.
func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("not an absolute URL")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsLoopback() || u.Hostname() == "localhost" {
			return nil
		}
		return fmt.Errorf("plain http is allowed only to a loopback address; use https")
	}
	return fmt.Errorf("scheme %q is not https", u.Scheme)
}
