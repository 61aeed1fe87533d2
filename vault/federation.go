package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrSignin means the console federation endpoint refused to turn
// credentials into a sign-in token, or could not be reached.
var ErrSignin = errors.New("console sign-in failed")

// Limits of a console session made from role credentials
// (getSigninToken's SessionDuration), in seconds.
const (
	minConsoleSession = 900
	maxConsoleSession = 43200
)

// maxSigninAnswer bounds what is read from the federation endpoint.
const maxSigninAnswer = 64 << 10

// FederationEndpoint is the console federation endpoint of region's
// partition: signin.aws.amazon.com, or the GovCloud and China hosts.
func FederationEndpoint(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "https://signin.amazonaws.cn/federation"
	case strings.HasPrefix(region, "us-gov-"):
		return "https://signin.amazonaws-us-gov.com/federation"
	}
	return "https://signin.aws.amazon.com/federation"
}

// ConsoleDestination is the console page a sign-in lands on: path (such
// as "/s3/home") on region's console host, else the console home. A path
// must start with "/" and hold no scheme or host, so that a sign-in URL
// cannot be made to land elsewhere.
func ConsoleDestination(region, path string) (string, error) {
	if region != "" && !regionPattern().MatchString(region) {
		return "", fmt.Errorf("region %q is not an AWS region name such as eu-west-1", region)
	}
	domain := "console.aws.amazon.com"
	switch {
	case strings.HasPrefix(region, "cn-"):
		domain = "console.amazonaws.cn"
	case strings.HasPrefix(region, "us-gov-"):
		domain = "console.amazonaws-us-gov.com"
	}
	if path != "" {
		u, err := url.Parse(path)
		if err != nil || !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") || u.Scheme != "" || u.Host != "" || strings.ContainsAny(path, "\\ \t\r\n") {
			return "", fmt.Errorf("console path %q must be a path on the console such as /s3/home", path)
		}
	}
	if region == "" {
		if path == "" {
			return "https://" + domain + "/", nil
		}
		return "https://" + domain + path, nil
	}
	host := region + "." + domain
	if path == "" {
		return "https://" + host + "/console/home?region=" + url.QueryEscape(region), nil
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return "https://" + host + path + sep + "region=" + url.QueryEscape(region), nil
}

// Federation talks to the console federation endpoint. The zero value
// uses http.DefaultClient and the endpoint of the credentials' partition.
type Federation struct {
	// Endpoint replaces the federation endpoint
	// (AWS_ENDPOINT_URL_SIGNIN, read once at start); empty means
	// FederationEndpoint(region).
	Endpoint string
	// Client makes the requests; nil means http.DefaultClient.
	Client *http.Client
	// Timeout bounds the call; 0 means DefaultSTSTimeout.
	Timeout time.Duration
}

// endpoint is the federation URL used for region.
func (f Federation) endpoint(region string) string {
	if f.Endpoint != "" {
		return f.Endpoint
	}
	return FederationEndpoint(region)
}

// SigninToken exchanges temporary credentials for a console sign-in token
// (Action=getSigninToken). sessionDuration caps the console session; it is
// sent only when > 0, and must then be 15 minutes to 12 hours: the
// endpoint accepts it for role credentials and refuses it for federation
// tokens, whose console session lasts as long as the token.
func (f Federation) SigninToken(ctx context.Context, region string, creds Credentials, sessionDuration time.Duration) (string, error) {
	if creds.SessionToken == "" {
		return "", newError(ErrSignin, nil, "console sign-in needs temporary credentials")
	}
	secs := int(sessionDuration / time.Second)
	if sessionDuration > 0 && (secs < minConsoleSession || secs > maxConsoleSession) {
		return "", newError(ErrSignin, nil, "console session of %s is outside 15m to 12h", sessionDuration)
	}
	session, err := json.Marshal(map[string]string{
		"sessionId":    creds.AccessKeyID,
		"sessionKey":   creds.SecretAccessKey,
		"sessionToken": creds.SessionToken,
	})
	if err != nil {
		return "", err
	}
	form := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	if sessionDuration > 0 {
		form.Set("SessionDuration", strconv.Itoa(secs))
	}
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultSTSTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	endpoint := f.endpoint(region)
	// A GET with the session in the query, as AWS documents the call. The
	// URL is never printed: errors below name the endpoint only.
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", newError(ErrSignin, nil, "federation endpoint %q is not an http(s) URL", endpoint)
	}
	u.RawQuery = form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", newError(ErrSignin, nil, "federation endpoint %q is not a URL", endpoint)
	}
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		// The *url.Error of client.Do holds the URL with the credentials:
		// keep only what went wrong underneath it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", newError(ErrSignin, nil, "reach the federation endpoint %s: %v", endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSigninAnswer))
	if err != nil {
		return "", newError(ErrSignin, err, "read the answer of %s: %v", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", newError(ErrSignin, nil, "the federation endpoint %s refused the credentials (HTTP %d)", endpoint, resp.StatusCode)
	}
	var answer struct {
		SigninToken string `json:"SigninToken"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.SigninToken == "" {
		return "", newError(ErrSignin, nil, "the federation endpoint %s sent no sign-in token", endpoint)
	}
	return answer.SigninToken, nil
}

// LoginURL is the URL that signs a browser in with token and lands on
// destination.
func (f Federation) LoginURL(region, token, destination, issuer string) string {
	q := url.Values{"Action": {"login"}, "Issuer": {issuer}, "Destination": {destination}, "SigninToken": {token}}
	return f.endpoint(region) + "?" + q.Encode()
}
