package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sentinel-cli/sentinel/internal/safefile"
)

// Defaults of Options.
const (
	DefaultTimeout  = 3 * time.Second
	DefaultAttempts = 3
	DefaultBackoff  = 250 * time.Millisecond
)

// maxSecretSize bounds a secret file: a key is a few dozen bytes.
const maxSecretSize = 4 << 10

// Options tune delivery; the zero value uses the defaults.
type Options struct {
	// Timeout bounds one attempt; 0 means DefaultTimeout. An attempt
	// that times out is not retried: the receiver may have got it, and
	// the command that acts should not wait several timeouts.
	Timeout time.Duration
	// Attempts is how many times a 5xx answer or a failed connection is
	// tried in all; 0 means DefaultAttempts.
	Attempts int
	// Backoff is the wait before the second attempt, doubled before each
	// later one; 0 means DefaultBackoff.
	Backoff time.Duration
	// Transport sends the requests; nil means a transport of its own that
	// uses no proxy (no environment is read after start).
	Transport http.RoundTripper
	// Now is the clock of the signature timestamp; nil means time.Now.
	Now func() time.Time
}

// Notifier sends events to the webhooks that subscribe to them. It is
// safe for concurrent use. A nil *Notifier sends nothing.
type Notifier struct {
	hooks  []hook
	opts   Options
	client *http.Client
}

type hook struct {
	name   string
	url    string
	events map[string]bool
	format string
	secret []byte
}

// New checks the webhooks and reads their secret files (through safefile:
// no symbolic link, not another user's, not writable by others). It
// returns nil, nil when there are no webhooks.
func New(hooks []Webhook, o Options) (*Notifier, error) {
	if len(hooks) == 0 {
		return nil, nil
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Attempts <= 0 {
		o.Attempts = DefaultAttempts
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.Transport == nil {
		o.Transport = &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: o.Timeout}).DialContext,
			TLSHandshakeTimeout: o.Timeout,
			ForceAttemptHTTP2:   true,
		}
	}
	n := &Notifier{opts: o, client: &http.Client{
		Transport: o.Transport,
		// A redirect could send the body, and its signature, anywhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	for i, w := range hooks {
		if err := w.Check(i + 1); err != nil {
			return nil, err
		}
		h := hook{name: name(i+1, w.URL), url: w.URL, events: map[string]bool{}, format: w.Format}
		for _, e := range w.Events {
			h.events[e] = true
		}
		switch {
		case !w.Secret.IsZero():
			if w.SecretValue == nil {
				return nil, fmt.Errorf("notify webhook %d: secret: %s is fetched only by the team service at start; use secret_file here", i+1, w.Secret)
			}
			if len(w.SecretValue) < 16 {
				return nil, fmt.Errorf("notify webhook %d: secret: %s holds %d bytes; use at least 16 random bytes", i+1, w.Secret, len(w.SecretValue))
			}
			h.secret = bytes.Clone(w.SecretValue)
		case w.SecretFile != "":
			data, err := safefile.ReadFile(w.SecretFile, maxSecretSize)
			if err != nil {
				return nil, fmt.Errorf("notify webhook %d: secret_file: %w", i+1, err)
			}
			secret := bytes.TrimSpace(data)
			if len(secret) < 16 {
				return nil, fmt.Errorf("notify webhook %d: secret_file %s holds %d bytes; use at least 16 random bytes", i+1, w.SecretFile, len(secret))
			}
			h.secret = secret
		}
		n.hooks = append(n.hooks, h)
	}
	return n, nil
}

// Wants reports whether any webhook subscribes to event.
func (n *Notifier) Wants(event string) bool {
	if n == nil {
		return false
	}
	return slices.ContainsFunc(n.hooks, func(h hook) bool { return h.events[event] })
}

// Failure is one webhook that did not take a notification.
type Failure struct {
	// Webhook names it by position and host, never by URL.
	Webhook string
	Err     error
}

// Error lists the webhooks that did not take a notification.
type Error struct {
	Event    string
	ID       string
	Failures []Failure
}

func (e *Error) Error() string {
	parts := make([]string, 0, len(e.Failures))
	for _, f := range e.Failures {
		parts = append(parts, f.Webhook+": "+f.Err.Error())
	}
	return fmt.Sprintf("notification %s %s not delivered: %s", e.Event, e.ID, strings.Join(parts, "; "))
}

// Send sends ev to every webhook that subscribes to it, in parallel, and
// returns an *Error naming those that failed after their attempts; nil
// when all took it (or none wanted it).
func (n *Notifier) Send(ctx context.Context, ev Event) error {
	if n == nil {
		return nil
	}
	var (
		mu       sync.Mutex
		failures []Failure
		wg       sync.WaitGroup
	)
	for _, h := range n.hooks {
		if !h.events[ev.Event] {
			continue
		}
		wg.Add(1)
		go func(h hook) {
			defer wg.Done()
			if err := n.deliver(ctx, h, ev); err != nil {
				mu.Lock()
				failures = append(failures, Failure{Webhook: h.name, Err: err})
				mu.Unlock()
			}
		}(h)
	}
	wg.Wait()
	if len(failures) == 0 {
		return nil
	}
	// Keep the webhooks' order, whatever order they failed in.
	ordered := failures[:0:0]
	for _, h := range n.hooks {
		for _, f := range failures {
			if f.Webhook == h.name {
				ordered = append(ordered, f)
			}
		}
	}
	return &Error{Event: ev.Event, ID: ev.ID, Failures: ordered}
}

// Body is what a webhook of format receives for ev.
func Body(format string, ev Event) ([]byte, error) {
	if format == FormatSlack {
		return slackBody(ev)
	}
	return json.Marshal(ev)
}

// deliver sends ev to one webhook with retries.
func (n *Notifier) deliver(ctx context.Context, h hook, ev Event) error {
	body, err := Body(h.format, ev)
	if err != nil {
		return err
	}
	wait := n.opts.Backoff
	for attempt := 1; ; attempt++ {
		retry, err := n.attempt(ctx, h, body)
		if err == nil {
			return nil
		}
		if !retry || attempt == n.opts.Attempts {
			if attempt > 1 {
				return fmt.Errorf("%w (after %d attempts)", err, attempt)
			}
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (gave up: %v)", err, ctx.Err())
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// attempt makes one POST; retry says whether a failure is worth another.
func (n *Notifier) attempt(ctx context.Context, h hook, body []byte) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return false, errors.New("cannot build the request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "sentinel-notify/1")
	if h.secret != nil {
		now := time.Now
		if n.opts.Now != nil {
			now = n.opts.Now
		}
		ts := now().Unix()
		req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
		req.Header.Set(HeaderSignature, Signature(h.secret, ts, body))
	}
	resp, err := n.client.Do(req)
	if err != nil {
		// url.Error quotes the URL, a secret: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			return false, fmt.Errorf("no answer within %s", n.opts.Timeout)
		}
		if ctx.Err() != nil || errors.Is(err, context.Canceled) {
			return false, errors.New("cancelled")
		}
		return true, fmt.Errorf("connection failed: %v", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return false, fmt.Errorf("HTTP %d: redirects are not followed", resp.StatusCode)
	case resp.StatusCode >= 500:
		return true, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return false, fmt.Errorf("HTTP %d", resp.StatusCode)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
