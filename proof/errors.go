package proof

import "errors"

// ErrInvalidProof is matched (errors.Is) by every refusal of a proof; the
// service answers it with 401.
var ErrInvalidProof = errors.New("invalid proof")

// ErrSTSUnavailable is matched by a failure to get a verdict from STS: a
// network error, a timeout, a 5xx or a throttle; the service answers it
// with 503.
var ErrSTSUnavailable = errors.New("STS could not be reached")

// ErrVerifierConfig is returned when the Verifier itself is not usable (no
// server ID, a malformed STS endpoint or region). It is neither of the two
// above: it is the service's fault, not the caller's, and fails closed.
var ErrVerifierConfig = errors.New("proof verifier is misconfigured")

// Reason says why a proof was refused, for logs. It never holds a value
// taken from the proof.
type Reason string

// The reasons a proof is refused.
const (
	ReasonMissing       Reason = "missing"             // empty header
	ReasonTooLarge      Reason = "too-large"           // header over MaxHeaderBytes
	ReasonEncoding      Reason = "encoding"            // not base64url without padding
	ReasonJSON          Reason = "json"                // not the strict JSON shape
	ReasonMethod        Reason = "method"              // not POST
	ReasonURL           Reason = "url"                 // not exactly the configured STS endpoint
	ReasonBody          Reason = "body"                // not exactly Action=GetCallerIdentity&Version=2011-06-15
	ReasonHeader        Reason = "header"              // a header not allowed, duplicated, with two values or a bad value
	ReasonHost          Reason = "host-header"         // a Host header (the host comes from the endpoint)
	ReasonAuthorization Reason = "authorization"       // Authorization missing or malformed
	ReasonScope         Reason = "credential-scope"    // credential scope not sts in the verifier's region
	ReasonUnsigned      Reason = "unsigned-header"     // a header of the proof is not signed, or a signed one is missing
	ReasonServerID      Reason = "server-id"           // x-sentinel-server-id differs
	ReasonRequestHash   Reason = "request-hash"        // x-sentinel-request-sha256 differs
	ReasonAudience      Reason = "audience"            // x-sentinel-audience is not one of the service's URLs
	ReasonDate          Reason = "date"                // X-Amz-Date malformed or more than MaxSkew off
	ReasonSTSRefused    Reason = "sts-refused"         // STS refused the signature or the credentials
	ReasonSTSAnswer     Reason = "sts-answer"          // STS answered something other than a strict GetCallerIdentity result
	ReasonAccount       Reason = "account-not-allowed" // the caller's account is not accepted
)

// InvalidProofError is a refusal: it matches ErrInvalidProof. Detail is a
// short fixed phrase or an STS error code, never a secret, a signature or
// a value copied from the proof.
type InvalidProofError struct {
	Reason Reason
	Detail string
}

func (e *InvalidProofError) Error() string {
	if e.Detail == "" {
		return "invalid proof: " + string(e.Reason)
	}
	return "invalid proof: " + string(e.Reason) + ": " + e.Detail
}

// Is makes every InvalidProofError match ErrInvalidProof.
func (e *InvalidProofError) Is(target error) bool { return target == ErrInvalidProof }

func refuse(r Reason, detail string) error {
	return &InvalidProofError{Reason: r, Detail: detail}
}

// ReasonOf returns the Reason of a refusal, or "" when err is not one.
func ReasonOf(err error) Reason {
	var e *InvalidProofError
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}
