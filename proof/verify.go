package proof

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/vault"
)

// MaxSkew is how far the signature date of a proof may be from the
// verifier's clock, either way.
const MaxSkew = 5 * time.Minute

// DefaultSTSTimeout bounds one forwarded GetCallerIdentity when the
// Verifier's Client has no timeout of its own.
const DefaultSTSTimeout = 5 * time.Second

// Verifier checks a proof and asks STS who signed it. Its fields are read
// only; one Verifier may serve concurrent calls.
type Verifier struct {
	// ServerID is the service's server_id, which every proof must carry.
	ServerID string
	// STSEndpoint is the only URL a proof may be signed for (exact scheme,
	// host and path) and where proofs are forwarded. Never taken from a
	// request.
	STSEndpoint string
	// Region is the signing region of STSEndpoint.
	Region string
	// Audiences are the canonical base URLs (CanonicalAudience) this
	// service is reached at; a proof signed for any other is refused, so
	// that a proof given to a look-alike service is useless here. Empty
	// is a configuration error: no proof can be accepted.
	Audiences []string
	// Accounts are the accepted caller accounts; empty accepts none.
	Accounts []string
	// Client sends the forwarded request; nil means a client with a short
	// timeout. Redirects are never followed, whatever the Client says.
	Client *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// allowedHeaders are the only headers a proof may carry (lowercase), and
// whether each is required. Authorization is the one not signed.
var allowedHeaders = map[string]bool{
	"authorization":             true,
	"content-type":              true,
	"x-amz-date":                true,
	"x-sentinel-server-id":      true,
	"x-sentinel-request-sha256": true,
	"x-sentinel-audience":       true,
	"x-amz-security-token":      false,
	"x-amz-content-sha256":      false,
}

// Verify checks the proof in header for the API call (method,
// pathWithQuery, body), forwards it to STS and returns the caller.
// pathWithQuery is the API path as documented ("/v1/..."), with the raw
// query if any, without any stage or prefix a gateway put in front of it;
// body is the API call's body as received. Every refusal matches
// ErrInvalidProof (ReasonOf tells which check failed); failing to reach
// STS matches ErrSTSUnavailable; a Verifier with a missing or malformed
// field returns ErrVerifierConfig. A proof is not single-use: the same
// call can be replayed with it within MaxSkew, to this service only.
func (v *Verifier) Verify(ctx context.Context, header string, method, pathWithQuery string, body []byte) (vault.Identity, error) {
	endpoint, err := v.checkConfig()
	if err != nil {
		return vault.Identity{}, err
	}
	p, err := decodeHeader(header)
	if err != nil {
		return vault.Identity{}, err
	}
	return v.verifyDecoded(ctx, p, endpoint, method, pathWithQuery, body)
}

// verifyDecoded is Verify after the configuration is checked and the
// proof decoded.
func (v *Verifier) verifyDecoded(ctx context.Context, p wireProof, endpoint *url.URL, method, pathWithQuery string, body []byte) (vault.Identity, error) {
	headers, err := v.checkRequest(p, endpoint, RequestHash(method, pathWithQuery, body), true)
	if err != nil {
		return vault.Identity{}, err
	}
	result, err := v.forward(ctx, endpoint, headers, p.Body)
	if err != nil {
		return vault.Identity{}, err
	}
	id, err := vault.ParseIdentity(result.arn, result.account, result.userID)
	if err != nil || id.UserID == "" {
		return vault.Identity{}, refuse(ReasonSTSAnswer, "caller ARN not understood")
	}
	if !slices.Contains(v.Accounts, id.Account) {
		return vault.Identity{}, refuse(ReasonAccount, "")
	}
	return id, nil
}

// Precheck checks everything about the proof in header that needs
// neither the API call's body nor STS: its encoding, shape, endpoint,
// signed headers, access key ID, server ID, audience and date. A service
// calls it before reading the body, so that a call without a plausible
// proof costs neither; Verify repeats these checks and adds the request
// hash and STS's verdict. Its errors are those of Verify.
func (v *Verifier) Precheck(header string) error {
	_, err := v.PrecheckProof(header)
	return err
}

// Prechecked is a proof that passed Precheck, decoded, so that the
// service does not decode it and check the Verifier's configuration a
// second time. It is for the one call whose header it came from.
type Prechecked struct {
	v        *Verifier
	p        wireProof
	endpoint *url.URL
}

// PrecheckProof is Precheck, and returns the decoded proof for Verify.
func (v *Verifier) PrecheckProof(header string) (*Prechecked, error) {
	endpoint, err := v.checkConfig()
	if err != nil {
		return nil, err
	}
	p, err := decodeHeader(header)
	if err != nil {
		return nil, err
	}
	if _, err := v.checkRequest(p, endpoint, "", false); err != nil {
		return nil, err
	}
	return &Prechecked{v: v, p: p, endpoint: endpoint}, nil
}

// Verify is the Verifier's Verify for the header c was decoded from: every
// check of the proof is made again (the clock at this later time), with
// the request hash, and the proof forwarded to STS.
func (c *Prechecked) Verify(ctx context.Context, method, pathWithQuery string, body []byte) (vault.Identity, error) {
	return c.v.verifyDecoded(ctx, c.p, c.endpoint, method, pathWithQuery, body)
}

// checkConfig returns the normal form of the configured endpoint.
func (v *Verifier) checkConfig() (*url.URL, error) {
	if v.ServerID == "" || !validHeaderValue(v.ServerID) {
		return nil, fmt.Errorf("%w: server ID", ErrVerifierConfig)
	}
	if !validRegion(v.Region) {
		return nil, fmt.Errorf("%w: region", ErrVerifierConfig)
	}
	u, err := parseEndpoint(v.STSEndpoint)
	if err != nil {
		return nil, fmt.Errorf("%w: STS endpoint: %v", ErrVerifierConfig, err)
	}
	if len(v.Audiences) == 0 {
		return nil, fmt.Errorf("%w: no audience", ErrVerifierConfig)
	}
	for _, a := range v.Audiences {
		if c, err := CanonicalAudience(a); err != nil || c != a {
			return nil, fmt.Errorf("%w: audience not in canonical form", ErrVerifierConfig)
		}
	}
	return u, nil
}

// checkRequest checks everything that can be checked without STS and
// returns the headers to forward, in canonical form: what the proof calls
// (target), how (headers), that the signature covers it (signature), that
// it was made for this service and call (binding), and when (clock), in
// that order. checkHash is false only for Precheck, which has no body to
// hash.
func (v *Verifier) checkRequest(p wireProof, endpoint *url.URL, requestHash string, checkHash bool) (http.Header, error) {
	if err := checkTarget(p, endpoint); err != nil {
		return nil, err
	}
	values, err := checkHeaders(p)
	if err != nil {
		return nil, err
	}
	auth, err := v.checkSignature(values)
	if err != nil {
		return nil, err
	}
	if err := v.checkBinding(values, requestHash, checkHash); err != nil {
		return nil, err
	}
	if err := v.checkClock(values, auth); err != nil {
		return nil, err
	}
	out := make(http.Header, len(values))
	for name, value := range values {
		out[http.CanonicalHeaderKey(name)] = []string{value}
	}
	return out, nil
}

// checkTarget refuses a proof that is not a POST of GetCallerIdentity to
// exactly the configured STS endpoint.
func checkTarget(p wireProof, endpoint *url.URL) error {
	if p.Method != http.MethodPost {
		return refuse(ReasonMethod, "")
	}
	u, err := parseEndpoint(p.URL)
	if err != nil {
		return refuse(ReasonURL, "malformed")
	}
	if *u != *endpoint {
		return refuse(ReasonURL, "not the configured STS endpoint")
	}
	return checkBody(p.Body)
}

// checkHeaders returns the proof's headers by lowercase name: one value
// each, only the allowed headers, every required one, Host never, a form
// content type and a payload hash (when sent) that matches the body.
func checkHeaders(p wireProof) (map[string]string, error) {
	values := map[string]string{}
	for name, vs := range p.Headers {
		lower := strings.ToLower(name)
		if lower == "host" {
			return nil, refuse(ReasonHost, "")
		}
		if _, ok := allowedHeaders[lower]; !ok {
			return nil, refuse(ReasonHeader, "header not allowed in a proof")
		}
		if len(vs) != 1 {
			return nil, refuse(ReasonHeader, "header without exactly one value")
		}
		if !validHeaderValue(vs[0]) || vs[0] == "" {
			return nil, refuse(ReasonHeader, "malformed header value")
		}
		values[lower] = vs[0]
	}
	for name, required := range allowedHeaders {
		if _, ok := values[name]; required && !ok {
			return nil, refuse(ReasonHeader, "required header missing")
		}
	}
	switch strings.ToLower(values["content-type"]) {
	case "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8":
	default:
		return nil, refuse(ReasonHeader, "content type is not a form")
	}
	if h, ok := values["x-amz-content-sha256"]; ok {
		sum := sha256.Sum256([]byte(p.Body))
		if h != hex.EncodeToString(sum[:]) {
			return nil, refuse(ReasonHeader, "payload hash does not match the body")
		}
	}
	return values, nil
}

// checkSignature parses the Authorization header and refuses a scope other
// than sts in the verifier's region, and a signature that does not cover
// exactly the headers sent: every header but Authorization signed, host
// signed, content-length allowed (the SDK signs it; it is the length of
// the fixed body), and nothing signed that is not sent. STS checks the
// signature itself.
func (v *Verifier) checkSignature(values map[string]string) (sigV4Authorization, error) {
	auth, err := parseAuthorization(values["authorization"])
	if err != nil {
		return sigV4Authorization{}, err
	}
	if auth.service != stsService || auth.region != v.Region {
		return sigV4Authorization{}, refuse(ReasonScope, "not sts in the service's region")
	}
	signed := map[string]bool{}
	for _, h := range auth.signedHeaders {
		signed[h] = true
	}
	if !signed["host"] {
		return sigV4Authorization{}, refuse(ReasonUnsigned, "host not signed")
	}
	for name := range values {
		if name != "authorization" && !signed[name] {
			return sigV4Authorization{}, refuse(ReasonUnsigned, name+" not signed")
		}
	}
	for name := range signed {
		if _, sent := values[name]; !sent && name != "host" && name != "content-length" {
			return sigV4Authorization{}, refuse(ReasonUnsigned, "a signed header is not sent")
		}
		if name == "authorization" {
			return sigV4Authorization{}, refuse(ReasonUnsigned, "authorization signed")
		}
	}
	return auth, nil
}

// checkBinding refuses a proof made for another service (server ID,
// audience) or, when checkHash is set, for another call.
func (v *Verifier) checkBinding(values map[string]string, requestHash string, checkHash bool) error {
	if values["x-sentinel-server-id"] != v.ServerID {
		return refuse(ReasonServerID, "")
	}
	if !slices.Contains(v.Audiences, values["x-sentinel-audience"]) {
		return refuse(ReasonAudience, "not this service's URL")
	}
	if checkHash && values["x-sentinel-request-sha256"] != requestHash {
		return refuse(ReasonRequestHash, "")
	}
	return nil
}

// checkClock refuses a malformed X-Amz-Date, a credential scope of
// another day, and a signing time more than MaxSkew from now.
func (v *Verifier) checkClock(values map[string]string, auth sigV4Authorization) error {
	signedAt, err := time.Parse(amzDateLayout, values["x-amz-date"])
	if err != nil || signedAt.Format(amzDateLayout) != values["x-amz-date"] {
		return refuse(ReasonDate, "malformed")
	}
	if auth.date != values["x-amz-date"][:8] {
		return refuse(ReasonDate, "scope date differs from X-Amz-Date")
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	if skew := now().Sub(signedAt); skew > MaxSkew || skew < -MaxSkew {
		return refuse(ReasonDate, "more than 5 minutes off")
	}
	return nil
}

// amzDateLayout is the layout of X-Amz-Date.
const amzDateLayout = "20060102T150405Z"
