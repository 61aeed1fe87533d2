package teamclient

import "github.com/sentinel-cli/sentinel/teamapi"

// reportFallbacks hands each well-formed fallback header of an answer to
// Options.Fallback. A malformed one is the service's mistake, not the
// caller's: it is only logged at debug level.
func (c *Client) reportFallbacks(values []string) {
	for _, v := range values {
		role, at, ok := teamapi.ParseFallback(v)
		if !ok {
			c.debugf("team service: unreadable %s header", teamapi.FallbackHeader)
			continue
		}
		if c.opts.Fallback != nil {
			c.opts.Fallback(role, at)
		}
	}
}
