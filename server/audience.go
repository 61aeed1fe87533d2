package server

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"

	"github.com/sentinel-cli/sentinel/proof"
)

// eventAudienceKey keys, in a request's context, the audience the Lambda
// event itself names. Only LambdaHandler sets it: a client cannot.
type eventAudienceKey struct{}

// withEventAudience records the audience of a Lambda event: https://, the
// requestContext.domainName AWS filled in, and the stage's path when the
// request came through a named stage. The client called exactly that base
// URL, so it signed exactly that audience.
func withEventAudience(ctx context.Context, domainName, stagePrefix string) context.Context {
	if domainName == "" {
		return ctx
	}
	aud, err := proof.CanonicalAudience("https://" + domainName + stagePrefix)
	if err != nil {
		return ctx
	}
	return context.WithValue(ctx, eventAudienceKey{}, aud)
}

// eventAudience is the audience withEventAudience recorded, if any.
func eventAudience(ctx context.Context) (string, bool) {
	aud, ok := ctx.Value(eventAudienceKey{}).(string)
	return aud, ok && aud != ""
}

// Audiences returns the audiences the service accepts proofs for when it
// listens on addr: the public_urls of the config in canonical form, and,
// on a loopback listener, http(s)://127.0.0.1:PORT and
// http(s)://localhost:PORT (or [::1]), which reach it only from this
// machine. A listener that is not loopback needs public_urls: the service
// cannot tell which name its clients use for it.
func (c *ServeConfig) Audiences(addr net.Addr) ([]string, error) {
	out := c.PublicAudiences()
	tcp, ok := addr.(*net.TCPAddr)
	if ok && tcp.IP.IsLoopback() {
		scheme := "http"
		if c.HasTLS() {
			scheme = "https"
		}
		port := strconv.Itoa(tcp.Port)
		hosts := []string{"127.0.0.1", "localhost"}
		if tcp.IP.To4() == nil {
			hosts = []string{"[::1]", "localhost"}
		}
		for _, h := range hosts {
			aud, err := proof.CanonicalAudience(scheme + "://" + h + ":" + port)
			if err != nil {
				return nil, fmt.Errorf("%w: audience of %s: %v", ErrServeConfig, addr, err)
			}
			out = appendUnique(out, aud)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: public_urls: a service listening on %s must list the URLs its clients call", ErrServeConfig, addr)
	}
	return out, nil
}

// PublicAudiences is public_urls in canonical form (checked by
// validate, so none fails here).
func (c *ServeConfig) PublicAudiences() []string {
	var out []string
	for _, u := range c.PublicURLs {
		if aud, err := proof.CanonicalAudience(u); err == nil {
			out = appendUnique(out, aud)
		}
	}
	return out
}

// checkPublicURL accepts a URL that can be an audience: https, or http to
// a loopback host, in a form CanonicalAudience understands.
func checkPublicURL(raw string) error {
	if err := checkEndpoint(raw); err != nil {
		return err
	}
	if _, err := proof.CanonicalAudience(raw); err != nil {
		return fmt.Errorf("%q: %v", raw, err)
	}
	return nil
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
