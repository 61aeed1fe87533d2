package proof

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The fixed parts of the signed GetCallerIdentity request.
const (
	stsMethod      = http.MethodPost
	stsBody        = "Action=GetCallerIdentity&Version=2011-06-15"
	stsContentType = "application/x-www-form-urlencoded; charset=utf-8"
	stsService     = "sts"
)

// SignParams says what a proof is signed for.
type SignParams struct {
	// STSEndpoint is the STS URL the service forwards proofs to (from its
	// /v1/info), such as https://sts.eu-west-1.amazonaws.com.
	STSEndpoint string
	// Region is the signing region of STSEndpoint.
	Region string
	// ServerID is the server_id of the service, from the client's own
	// configuration.
	ServerID string
	// Audience is the base URL the client is calling, in the form
	// CanonicalAudience gives; the service accepts only its own.
	Audience string
	// RequestHash is RequestHash of the API call the proof goes with.
	RequestHash string
	// Now is the signing time; zero means time.Now().
	Now time.Time
}

// wireProof is the JSON form of a proof.
type wireProof struct {
	Method  string              `json:"method"`
	URL     string              `json:"url"`
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
}

// Sign builds the value of the X-Sentinel-Proof header: base64url (no
// padding) of the JSON {"method","url","headers","body"} of an
// sts:GetCallerIdentity request for p.STSEndpoint signed with SigV4
// (service "sts", p.Region) by creds. Every header it carries but
// Authorization is signed; it carries no Host (see the package doc).
// The error never holds the secret key or the session token.
func Sign(ctx context.Context, creds aws.Credentials, p SignParams) (string, error) {
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return "", errors.New("proof: credentials without an access key ID or secret key")
	}
	endpoint, err := parseEndpoint(p.STSEndpoint)
	if err != nil {
		return "", fmt.Errorf("proof: STS endpoint: %w", err)
	}
	if !validRegion(p.Region) {
		return "", errors.New("proof: missing or malformed region")
	}
	if !validHeaderValue(p.ServerID) || p.ServerID == "" {
		return "", errors.New("proof: missing or malformed server ID")
	}
	if aud, err := CanonicalAudience(p.Audience); err != nil || aud != p.Audience {
		return "", errors.New("proof: missing or non-canonical audience")
	}
	if !isLowerHex64(p.RequestHash) {
		return "", errors.New("proof: request hash is not 64 lowercase hex digits")
	}
	now := p.Now
	if now.IsZero() {
		now = time.Now()
	}

	req, err := http.NewRequestWithContext(ctx, stsMethod, endpoint.String(), bytes.NewReader([]byte(stsBody)))
	if err != nil {
		return "", fmt.Errorf("proof: build request: %w", err)
	}
	req.Header.Set("Content-Type", stsContentType)
	req.Header.Set(ServerIDHeader, p.ServerID)
	req.Header.Set(RequestHashHeader, p.RequestHash)
	req.Header.Set(AudienceHeader, p.Audience)
	sum := sha256.Sum256([]byte(stsBody))
	// The signer signs every header present (Authorization, User-Agent and a
	// few others excepted, none of which are set here), host, and
	// content-length, and adds X-Amz-Date and X-Amz-Security-Token.
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), stsService, p.Region, now); err != nil {
		return "", errors.New("proof: signing failed")
	}

	w := wireProof{
		Method:  stsMethod,
		URL:     endpoint.String(),
		Headers: map[string][]string(req.Header.Clone()),
		Body:    stsBody,
	}
	raw, err := json.Marshal(w)
	if err != nil {
		return "", fmt.Errorf("proof: encode: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}
