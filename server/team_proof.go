package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/sentinel-cli/sentinel/proof"
	"github.com/sentinel-cli/sentinel/vault"
)

// errAuthConfig marks an authenticator that cannot work as configured: a
// 500, the operator's problem, not the caller's.
var errAuthConfig = errors.New("authenticator misconfigured")

// ProofAuthenticator authenticates team API calls with the proof in the
// one X-Sentinel-Proof header, checked and forwarded to STS by v. The
// proof must be signed for one of v.Audiences; when v has none (on Lambda
// without public_urls), for the URL the Lambda event names, which AWS
// fills in and a client cannot choose.
func ProofAuthenticator(v *proof.Verifier) Authenticator {
	return proofAuthenticator{v: v}
}

// proofAuthenticator is ProofAuthenticator; it is also a Prechecker.
type proofAuthenticator struct{ v *proof.Verifier }

// header returns the one proof header of r.
func (proofAuthenticator) header(r *http.Request) (string, error) {
	values := r.Header.Values(proof.Header)
	if len(values) != 1 || values[0] == "" {
		return "", &proof.InvalidProofError{Reason: proof.ReasonMissing, Detail: "one X-Sentinel-Proof header is required"}
	}
	return values[0], nil
}

// verifier is v, or on Lambda without audiences of its own a copy that
// accepts the audience of the event.
func (a proofAuthenticator) verifier(r *http.Request) *proof.Verifier {
	if len(a.v.Audiences) == 0 {
		if aud, ok := eventAudience(r.Context()); ok {
			copied := *a.v
			copied.Audiences = []string{aud}
			return &copied
		}
	}
	return a.v
}

// Precheck refuses, from the headers alone, a call without a plausible
// proof.
func (a proofAuthenticator) Precheck(r *http.Request) error {
	h, err := a.header(r)
	if err != nil {
		return err
	}
	return classifyProofErr(a.verifier(r).Precheck(h))
}

// precheckCall is Precheck, and returns the call's Authenticate, which
// verifies the proof Precheck decoded instead of decoding it again.
func (a proofAuthenticator) precheckCall(r *http.Request) (authenticateFunc, error) {
	h, err := a.header(r)
	if err != nil {
		return nil, err
	}
	c, err := a.verifier(r).PrecheckProof(h)
	if err != nil {
		return nil, classifyProofErr(err)
	}
	return func(ctx context.Context, pathWithQuery string, body []byte) (vault.Identity, error) {
		id, err := c.Verify(ctx, r.Method, pathWithQuery, body)
		if err != nil {
			return vault.Identity{}, classifyProofErr(err)
		}
		return id, nil
	}, nil
}

// Authenticate checks the proof of the call and asks STS who signed it.
func (a proofAuthenticator) Authenticate(ctx context.Context, r *http.Request, pathWithQuery string, body []byte) (vault.Identity, error) {
	h, err := a.header(r)
	if err != nil {
		return vault.Identity{}, err
	}
	id, err := a.verifier(r).Verify(ctx, h, r.Method, pathWithQuery, body)
	if err != nil {
		return vault.Identity{}, classifyProofErr(err)
	}
	return id, nil
}

// classifyProofErr marks STS being unreachable (503) and a misconfigured
// verifier (500); every other error is a refused proof.
func classifyProofErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, proof.ErrSTSUnavailable):
		return Classify(ErrUnavailable, err)
	case errors.Is(err, proof.ErrVerifierConfig):
		return Classify(errAuthConfig, err)
	}
	return err
}
