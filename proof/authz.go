package proof

import (
	"strings"
	"time"
)

// sigV4Authorization is a parsed Authorization header.
type sigV4Authorization struct {
	accessKeyID   string
	date          string // YYYYMMDD of the credential scope
	region        string
	service       string
	signedHeaders []string // lowercase, strictly ascending
}

// parseAuthorization accepts exactly the form every AWS SDK writes:
//
//	AWS4-HMAC-SHA256 Credential=AKID/YYYYMMDD/REGION/SERVICE/aws4_request, SignedHeaders=a;b;c, Signature=64HEX
//
// with the parts in that order, each once. It checks the shape only; the
// scope is compared with the verifier's by the caller.
func parseAuthorization(v string) (sigV4Authorization, error) {
	bad := func(why string) (sigV4Authorization, error) {
		return sigV4Authorization{}, refuse(ReasonAuthorization, why)
	}
	if len(v) > 2048 {
		return bad("too long")
	}
	rest, ok := strings.CutPrefix(v, "AWS4-HMAC-SHA256 Credential=")
	if !ok {
		return bad("not AWS4-HMAC-SHA256 with Credential first")
	}
	cred, rest, ok := strings.Cut(rest, ", SignedHeaders=")
	if !ok {
		return bad("no SignedHeaders")
	}
	signed, sig, ok := strings.Cut(rest, ", Signature=")
	if !ok {
		return bad("no Signature")
	}
	if !isLowerHex64(sig) {
		return bad("signature is not 64 lowercase hex digits")
	}
	scope := strings.Split(cred, "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return bad("malformed credential scope")
	}
	a := sigV4Authorization{accessKeyID: scope[0], date: scope[1], region: scope[2], service: scope[3]}
	if !validAccessKeyID(a.accessKeyID) {
		return bad("malformed access key ID")
	}
	if _, err := time.Parse("20060102", a.date); err != nil || len(a.date) != 8 {
		return bad("malformed scope date")
	}
	if !validRegion(a.region) || a.service == "" {
		return bad("malformed scope region or service")
	}
	a.signedHeaders = strings.Split(signed, ";")
	for i, h := range a.signedHeaders {
		if !validLowerToken(h) {
			return bad("malformed signed header name")
		}
		if i > 0 && a.signedHeaders[i-1] >= h {
			return bad("signed headers not sorted or duplicated")
		}
	}
	return a, nil
}

// validAccessKeyID accepts only what AWS issues to callers: AKIA (an IAM
// user's long-term key) or ASIA (temporary credentials) and 16 upper-case
// letters or digits, ^A[KS]IA[A-Z0-9]{16}$. Anything else cannot be a
// key STS knows, so it is refused here, without a call to STS: a made-up
// key costs the service nothing.
func validAccessKeyID(s string) bool {
	if len(s) != 20 || s[0] != 'A' || (s[1] != 'K' && s[1] != 'S') || s[2:4] != "IA" {
		return false
	}
	for i := 4; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// validLowerToken accepts a lowercase HTTP header name.
func validLowerToken(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}
