package teamclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sentinel-cli/sentinel/config"
	"github.com/sentinel-cli/sentinel/proof"
	"github.com/sentinel-cli/sentinel/teamapi"
)

// MaxResponseSize is the largest answer the client reads. A listing of
// many records fits; anything larger is refused, not truncated.
const MaxResponseSize = 4 << 20

// DefaultTimeout bounds one call to the service when Options.HTTPClient
// is nil.
const DefaultTimeout = 30 * time.Second

// Options configure a Client. URL, ServerID and Credentials are required.
type Options struct {
	// URL is the service's base URL (https, or http only to a loopback
	// host). A path is a prefix put before every /v1/... path.
	URL string
	// ServerID is the server_id the service must have: from this
	// machine's configuration, never from the service.
	ServerID string
	// STSEndpointOverride is the STS endpoint configured on this machine
	// (AWS_ENDPOINT_URL_STS, read once at start), the only endpoint
	// besides AWS's own that the service may name. Empty means none.
	STSEndpointOverride string
	// Credentials are the caller's own credentials; they sign the proofs
	// and never leave the machine.
	Credentials aws.CredentialsProvider
	// HTTPClient makes the calls; nil means a client with DefaultTimeout.
	// Redirects are never followed, whatever its CheckRedirect says.
	HTTPClient *http.Client
	// Now is the clock of the proof's signature date; nil means time.Now.
	Now func() time.Time
	// Debugf receives debug lines (never secrets); nil discards them.
	Debugf func(format string, args ...any)
	// Fallback hears each revocation-in-AWS fallback an answer reports
	// (teamapi.FallbackHeader): the role's revocation list did not fit, so
	// every session of the role issued before the time is denied. nil
	// discards them.
	Fallback func(role string, issuedBefore time.Time)
}

// Info is what GET /v1/info says about the service.
type Info struct {
	ServerID    string `json:"server_id"`
	STSEndpoint string `json:"sts_endpoint"`
	STSRegion   string `json:"sts_region"`
	Version     string `json:"version"`
}

// Client calls one team service. It is safe for concurrent use.
type Client struct {
	base *url.URL
	// audience is base in canonical form, signed into every proof so
	// that the proof is good only at the service this client calls.
	audience string
	opts     Options
	http     *http.Client
	mu       sync.Mutex
	info     *Info  // checked answer of /v1/info, fetched once
	sesID    string // server-mode session from the first credentials answer
}

// New checks the options and returns a client. It makes no call.
func New(o Options) (*Client, error) {
	if err := config.CheckServerURL(o.URL); err != nil {
		return nil, fmt.Errorf("team service URL: %w", err)
	}
	if err := config.CheckServerID(o.ServerID); err != nil {
		return nil, fmt.Errorf("team service server_id: %w", err)
	}
	if o.Credentials == nil {
		return nil, errors.New("team service: no credentials to sign proofs with")
	}
	base, err := url.Parse(o.URL)
	if err != nil {
		return nil, fmt.Errorf("team service URL: %w", err)
	}
	base.Path = strings.TrimSuffix(base.Path, "/")
	base.RawPath = ""
	audience, err := proof.CanonicalAudience(base.String())
	if err != nil {
		return nil, fmt.Errorf("team service URL: %w", err)
	}
	hc := &http.Client{Timeout: DefaultTimeout}
	if o.HTTPClient != nil {
		copied := *o.HTTPClient
		hc = &copied
	}
	// A redirect would send the proof's request hash to another URL, and
	// the next call's proof with it: never follow one.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{base: base, audience: audience, opts: o, http: hc}, nil
}

func (c *Client) now() time.Time {
	if c.opts.Now != nil {
		return c.opts.Now()
	}
	return time.Now()
}

func (c *Client) debugf(format string, args ...any) {
	if c.opts.Debugf != nil {
		c.opts.Debugf(format, args...)
	}
}

// Info fetches GET /v1/info once and checks it: the service's server_id
// must be the configured one, its STS endpoint AWS's or the configured
// override, its region a region name. Until it passes, no proof is made.
func (c *Client) Info(ctx context.Context) (Info, error) {
	c.mu.Lock()
	if c.info != nil {
		info := *c.info
		c.mu.Unlock()
		return info, nil
	}
	c.mu.Unlock()
	var info Info
	if err := c.call(ctx, http.MethodGet, "/v1/info", nil, nil, &info, kindNone, false); err != nil {
		return Info{}, err
	}
	if err := c.checkInfo(info); err != nil {
		return Info{}, err
	}
	c.mu.Lock()
	c.info = &info
	c.mu.Unlock()
	return info, nil
}

// checkInfo refuses a service that is not the configured one.
func (c *Client) checkInfo(info Info) error {
	if info.ServerID != c.opts.ServerID {
		return fmt.Errorf("%w: its server_id is %q, the config says %q", ErrWrongServer, safeMessage(info.ServerID), c.opts.ServerID)
	}
	if !IsAWSSTSEndpoint(info.STSEndpoint) && !sameEndpoint(info.STSEndpoint, c.opts.STSEndpointOverride) {
		return fmt.Errorf("%w: it asks for proofs signed for %q, which is neither an AWS STS endpoint nor AWS_ENDPOINT_URL_STS", ErrWrongServer, safeMessage(info.STSEndpoint))
	}
	if !regionPattern().MatchString(info.STSRegion) {
		return fmt.Errorf("%w: sts_region %q is not a region name", ErrBadAnswer, safeMessage(info.STSRegion))
	}
	return nil
}

// call makes one API call. path is the documented API path ("/v1/..."),
// query its raw query; in is marshalled as the JSON body (nil: none); a
// 2xx answer is decoded strictly into out. signed says whether the call
// carries a proof.
func (c *Client) call(ctx context.Context, method, path string, query url.Values, in, out any, k kind, signed bool) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("team service: encode %s %s: %w", method, path, err)
		}
	}
	pathWithQuery := path
	if q := query.Encode(); q != "" {
		pathWithQuery += "?" + q
	}
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("team service: %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if signed {
		header, err := c.proof(ctx, method, pathWithQuery, body)
		if err != nil {
			return err
		}
		req.Header.Set(proof.Header, header)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return &unreachableError{err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseSize+1))
	if err != nil {
		return &unreachableError{err: err}
	}
	if len(data) > MaxResponseSize {
		return fmt.Errorf("%w: %s %s: answer larger than %d bytes", ErrBadAnswer, method, path, MaxResponseSize)
	}
	c.debugf("team service %s %s: HTTP %d", method, path, resp.StatusCode)
	c.reportFallbacks(resp.Header.Values(teamapi.FallbackHeader))
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return fmt.Errorf("%w (%s %s: HTTP %d)", ErrRedirect, method, path, resp.StatusCode)
	case resp.StatusCode < 200 || resp.StatusCode >= 300:
		return apiError(resp.StatusCode, data, k)
	}
	if err := decodeStrict(data, out); err != nil {
		return fmt.Errorf("%w: %s %s: %s", ErrBadAnswer, method, path, safeMessage(err.Error()))
	}
	return nil
}

// proof signs the proof of identity for one call.
func (c *Client) proof(ctx context.Context, method, pathWithQuery string, body []byte) (string, error) {
	info, err := c.Info(ctx)
	if err != nil {
		return "", err
	}
	creds, err := c.opts.Credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("team service: credentials for the proof: %w", err)
	}
	header, err := proof.Sign(ctx, creds, proof.SignParams{
		STSEndpoint: info.STSEndpoint,
		Region:      info.STSRegion,
		ServerID:    c.opts.ServerID,
		Audience:    c.audience,
		RequestHash: proof.RequestHash(method, pathWithQuery, body),
		Now:         c.now(),
	})
	if err != nil {
		return "", fmt.Errorf("team service: sign the proof: %w", err)
	}
	return header, nil
}

// decodeStrict decodes exactly one JSON document with no unknown fields
// and nothing after it.
func decodeStrict(data []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON document")
	}
	return nil
}
