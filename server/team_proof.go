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
// one X-Sentinel-Proof header, checked and forwarded to STS by v.
func ProofAuthenticator(v *proof.Verifier) Authenticator {
	return AuthenticatorFunc(func(ctx context.Context, r *http.Request, pathWithQuery string, body []byte) (vault.Identity, error) {
		values := r.Header.Values(proof.Header)
		if len(values) != 1 || values[0] == "" {
			return vault.Identity{}, errors.New("one X-Sentinel-Proof header is required")
		}
		id, err := v.Verify(ctx, values[0], r.Method, pathWithQuery, body)
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
