package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// DefaultWebhookTimeout bounds one anchor POST.
const DefaultWebhookTimeout = 5 * time.Second

// WebhookAnchorer POSTs each head as a JSON object (the fields of Head:
// log, file, seq, hash, time) to a URL. Any 2xx status is success. It
// cannot be read back: the receiver keeps the heads, and whoever checks the
// log compares with them (`log verify --head`).
type WebhookAnchorer struct {
	// URL receives the POST.
	URL string
	// Client sends it; nil means a client with DefaultWebhookTimeout that
	// does not follow redirects.
	Client *http.Client
}

// String names the webhook by scheme and host only: a URL's path or query
// may carry a token.
func (w *WebhookAnchorer) String() string {
	u, err := url.Parse(w.URL)
	if err != nil {
		return "webhook"
	}
	return "webhook " + u.Scheme + "://" + u.Host
}

// Anchor POSTs h.
func (w *WebhookAnchorer) Anchor(ctx context.Context, h Head) error {
	body, err := json.Marshal(h)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	c := w.Client
	if c == nil {
		c = &http.Client{
			Timeout: DefaultWebhookTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		// The error names the URL, which may hold a token: keep only the
		// underlying cause.
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err
		}
		return fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("post: status %d", resp.StatusCode)
	}
	return nil
}
