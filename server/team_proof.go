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
	return AuthenticatorFunc(func(ctx context.Context, r *http.Request, pathWithQuery string, body []byte) (vault.Identity, error) {
		values := r.Header.Values(proof.Header)
		if len(values) != 1 || values[0] == "" {
			return vault.Identity{}, &proof.InvalidProofError{Reason: proof.ReasonMissing, Detail: "one X-Sentinel-Proof header is required"}
		}
		verifier := v
		if len(v.Audiences) == 0 {
			if aud, ok := eventAudience(r.Context()); ok {
				copied := *v
				copied.Audiences = []string{aud}
				verifier = &copied
			}
		}
		id, err := verifier.Verify(ctx, values[0], r.Method, pathWithQuery, body)
		switch {
		case err == nil:
			return id, nil
		case errors.Is(err, proof.ErrSTSUnavailable):
			return vault.Identity{}, Classify(ErrUnavailable, err)
		case errors.Is(err, proof.ErrVerifierConfig):
			return vault.Identity{}, Classify(errAuthConfig, err)
		}
		return vault.Identity{}, err
	})
}
