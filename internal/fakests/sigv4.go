package fakests

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SigV4 checking, written from the AWS specification rather than with the
// SDK's signer so that a test signing with the SDK checks the one against
// the other. The stand-in checks the signature of a request only when it
// knows the secret of the key (AddUserWithSecret, and the temporary
// credentials issued to such a user); keys added with AddUser are trusted
// on their access key ID alone, as before.

// amzDateLayout is the layout of X-Amz-Date.
const amzDateLayout = "20060102T150405Z"

// maxSkew is how far X-Amz-Date may be from the Server's clock either way,
// as in AWS.
const maxSkew = 15 * time.Minute

// authorization is a parsed SigV4 Authorization header.
type authorization struct {
	accessKeyID   string
	date          string // YYYYMMDD of the credential scope
	region        string
	service       string
	signedHeaders []string
	signature     string
}

func incompleteSignature(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "IncompleteSignature", msg}
}

func signatureDoesNotMatch(msg string) *apiError {
	return &apiError{http.StatusForbidden, "SignatureDoesNotMatch", msg}
}

// errSignatureMismatch is STS's answer to a signature that does not verify.
var errSignatureMismatch = signatureDoesNotMatch("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")

// parseAuthorization parses "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/
// SERVICE/aws4_request, SignedHeaders=a;b, Signature=HEX" the way STS does:
// the three parts may come in any order, each once.
func parseAuthorization(header string) (authorization, *apiError) {
	const algorithm = "AWS4-HMAC-SHA256 "
	if !strings.HasPrefix(header, algorithm) {
		return authorization{}, incompleteSignature("Authorization header requires the AWS4-HMAC-SHA256 algorithm.")
	}
	parts := map[string]string{}
	for _, p := range strings.Split(header[len(algorithm):], ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok {
			return authorization{}, incompleteSignature("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.")
		}
		if _, dup := parts[k]; dup {
			return authorization{}, incompleteSignature("Authorization header has a duplicated parameter.")
		}
		parts[k] = v
	}
	cred, sh, sig := parts["Credential"], parts["SignedHeaders"], parts["Signature"]
	if len(parts) != 3 || cred == "" || sh == "" || sig == "" {
		return authorization{}, incompleteSignature("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.")
	}
	scope := strings.Split(cred, "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return authorization{}, incompleteSignature("Credential should be scoped to a valid region, service and aws4_request.")
	}
	return authorization{
		accessKeyID:   scope[0],
		date:          scope[1],
		region:        scope[2],
		service:       scope[3],
		signedHeaders: strings.Split(sh, ";"),
		signature:     sig,
	}, nil
}

// checkSignature verifies the SigV4 signature of r, whose body is body,
// against secret, at the Server time now.
func checkSignature(r *http.Request, body []byte, auth authorization, secret string, now time.Time) *apiError {
	return checkSignatureFor("sts", r, body, auth, secret, now)
}

// checkSignatureFor is checkSignature for a request to service, whose
// credential scope must name it.
func checkSignatureFor(service string, r *http.Request, body []byte, auth authorization, secret string, now time.Time) *apiError {
	if auth.service != service {
		return signatureDoesNotMatch("Credential should be scoped to correct service: '" + service + "'.")
	}
	if !validSigningRegion(auth.region) {
		return signatureDoesNotMatch("Credential should be scoped to a valid region.")
	}
	amzDate := r.Header.Values("X-Amz-Date")
	if len(amzDate) != 1 {
		return incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	signedAt, err := time.Parse(amzDateLayout, amzDate[0])
	if err != nil {
		return incompleteSignature("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	if auth.date != amzDate[0][:8] {
		return signatureDoesNotMatch("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" + auth.date + "' != '" + amzDate[0][:8] + "', from '" + amzDate[0] + "'.")
	}
	nowUTC := now.UTC()
	if signedAt.Before(nowUTC.Add(-maxSkew)) {
		return signatureDoesNotMatch("Signature expired: " + amzDate[0] + " is now earlier than " +
			nowUTC.Add(-maxSkew).Format(amzDateLayout) + " (" + nowUTC.Format(amzDateLayout) + " - 15 min.)")
	}
	if signedAt.After(nowUTC.Add(maxSkew)) {
		return signatureDoesNotMatch("Signature not yet current: " + amzDate[0] + " is still later than " +
			nowUTC.Add(maxSkew).Format(amzDateLayout) + " (" + nowUTC.Format(amzDateLayout) + " + 15 min.)")
	}
	signed := map[string]bool{}
	for i, h := range auth.signedHeaders {
		if h == "" || h != strings.ToLower(h) || (i > 0 && auth.signedHeaders[i-1] >= h) {
			return errSignatureMismatch
		}
		signed[h] = true
	}
	if !signed["host"] {
		return signatureDoesNotMatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if !signed["x-amz-date"] {
		return signatureDoesNotMatch("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
	}

	canonical := canonicalRequest(r, body, auth.signedHeaders)
	scope := auth.date + "/" + auth.region + "/" + auth.service + "/aws4_request"
	stringToSign := "AWS4-HMAC-SHA256\n" + amzDate[0] + "\n" + scope + "\n" + hexSHA256([]byte(canonical))
	key := hmacSHA256([]byte("AWS4"+secret), auth.date)
	key = hmacSHA256(key, auth.region)
	key = hmacSHA256(key, auth.service)
	key = hmacSHA256(key, "aws4_request")
	want := hex.EncodeToString(hmacSHA256(key, stringToSign))
	if !hmac.Equal([]byte(want), []byte(auth.signature)) {
		return errSignatureMismatch
	}
	return nil
}

// canonicalRequest builds the SigV4 canonical request of r.
func canonicalRequest(r *http.Request, body []byte, signedHeaders []string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	// Services other than S3 encode the already escaped path once more.
	b.WriteString(uriEncode(path, false))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery))
	b.WriteByte('\n')
	for _, h := range signedHeaders {
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(hexSHA256(body))
	return b.String()
}

// canonicalHeaderValue is the value of the header name as it reached the
// server: Host and Content-Length come from where Go's server keeps them;
// several values are joined with commas, each trimmed and with runs of
// spaces folded.
func canonicalHeaderValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host":
		values = []string{r.Host}
	case "content-length":
		if r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	default:
		values = r.Header.Values(name)
	}
	for i, v := range values {
		values[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(values, ",")
}

// canonicalQuery sorts the query by key, then value, each URI-encoded.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		// An unparsable query cannot have been signed by a correct signer;
		// encode it as it is so that the signature does not verify.
		return uriEncode(raw, true)
	}
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k, true)+"="+uriEncode(v, true))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// uriEncode percent-encodes every byte but the unreserved characters (and
// "/" unless encodeSlash), with upper-case hex, as SigV4 requires.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// validSigningRegion accepts region names such as us-east-1.
func validSigningRegion(r string) bool {
	if r == "" || len(r) > 32 {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
