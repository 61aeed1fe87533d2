// Package proof lets a caller of the team vending service prove who it is
// without sending its keys, and lets the service check that proof.
//
// A proof is an sts:GetCallerIdentity request that the caller signs with
// SigV4 but does not send. The service checks its shape, forwards it to its
// own configured STS endpoint, and the ARN STS answers with is the caller.
// Three extra signed headers bind a proof to one service and one API
// call: X-Sentinel-Server-Id (the service's server_id), X-Sentinel-Audience
// (the base URL the client called, in CanonicalAudience form: server_id is
// public, so a look-alike service can echo it, but it cannot make a client
// that calls it sign the real service's URL) and X-Sentinel-Request-Sha256
// (the hash of the API call's method, path and body, so it cannot be
// replayed with another body). The signature date bounds replay in time.
//
// The header X-Sentinel-Proof carries the base64url (unpadded) encoding of
// the JSON {"method","url","headers","body"} of the signed request.
//
// Host: a proof carries no Host header. The host is that of the url, and on
// the service side it is that of the configured STS endpoint, which the url
// must equal; a proof carrying a Host header is refused. Content-Length is
// not carried either: it is the length of the fixed body (the SDK signer
// signs it as content-length).
//
// The verifier closes the holes similar designs have had (Vault's AWS auth,
// CVE-2020-16250; aws-iam-authenticator, CVE-2022-2385): the URL is never
// taken from the proof, only GetCallerIdentity with exactly Action and
// Version is accepted, duplicated keys or values are refused rather than
// dropped, every header but Authorization must be signed, redirects are not
// followed, and the STS answer is parsed strictly.
// Use on the client:
//
//	h, err := proof.Sign(ctx, creds, proof.SignParams{
//		STSEndpoint: info.STSEndpoint, Region: info.STSRegion, ServerID: cfg.ServerID,
//		Audience: "https://sentinel.example.com",
//		RequestHash: proof.RequestHash("POST", "/v1/credentials", body)})
//	req.Header.Set(proof.Header, h)
//
// and in the service:
//
//	id, err := verifier.Verify(ctx, r.Header.Get(proof.Header), r.Method, apiPathWithQuery, body)
//	// errors.Is(err, proof.ErrInvalidProof) -> 401, proof.ErrSTSUnavailable -> 503
package proof
