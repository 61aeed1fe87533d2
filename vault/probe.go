package vault

import (
	"cmp"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// STSProbe is what one unsigned request to STS tells: that the endpoint
// answers, and the time on its clock.
type STSProbe struct {
	// Endpoint is the URL asked.
	Endpoint string
	// Status is the HTTP status of the answer (an unsigned request is
	// refused, typically with 403: any answer proves reachability).
	Status int
	// ServerTime is the answer's Date header (one-second resolution).
	ServerTime time.Time
	// Sent and Received bracket the exchange on the local clock.
	Sent, Received time.Time
}

// Skew is how far the local clock is ahead of STS's (negative: behind),
// taking the middle of the exchange as the moment STS stamped its answer.
// The Date header has one-second resolution, so a skew under a second or
// two means nothing.
func (p STSProbe) Skew() time.Duration {
	mid := p.Sent.Add(p.Received.Sub(p.Sent) / 2)
	return mid.Sub(p.ServerTime)
}

// ProbeSTS sends one unsigned GetCallerIdentity to the STS endpoint opts
// and region give, with no credentials (nothing secret leaves the
// machine) and no retry, bounded by timeout. It fails when no HTTP answer
// with a valid Date header comes back, and with a *NotSTSError when the
// answer is not STS's own error document (an unsigned call is always
// refused): whatever is at the endpoint then is not STS.
func ProbeSTS(ctx context.Context, opts STSOptions, region string, timeout time.Duration, now func() time.Time) (STSProbe, error) {
	region = cmp.Or(region, defaultRegion)
	if now == nil {
		now = time.Now
	}
	endpoint := cmp.Or(opts.Endpoint, "https://sts."+region+".amazonaws.com")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyFromEnvironment
	if opts.CABundle != "" {
		pool, err := loadCABundle(opts.CABundle)
		if err != nil {
			return STSProbe{}, err
		}
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}
	}
	client := &http.Client{
		Transport: tr,
		Timeout:   timeout,
		// An STS endpoint does not redirect; following one could send the
		// probe anywhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	if err != nil {
		return STSProbe{}, fmt.Errorf("probe STS %s: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	p := STSProbe{Endpoint: endpoint, Sent: now()}
	resp, err := client.Do(req)
	if err != nil {
		return p, newError(ErrUnreachable, err, "probe STS %s: %v", endpoint, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	p.Received, p.Status = now(), resp.StatusCode
	if resp.StatusCode < 400 || !isSTSErrorDocument(body) {
		return p, &NotSTSError{Action: "GetCallerIdentity", Endpoint: endpoint, Status: resp.StatusCode}
	}
	date := resp.Header.Get("Date")
	t, err := http.ParseTime(date)
	if err != nil {
		return p, fmt.Errorf("probe STS %s: the answer (HTTP %d) has no valid Date header", endpoint, resp.StatusCode)
	}
	p.ServerTime = t
	return p, nil
}
