package proof

import (
	"crypto/sha256"
	"encoding/hex"
)

// Header is the HTTP header of an API call that carries the proof.
const Header = "X-Sentinel-Proof"

// ServerIDHeader is the signed header of the proof that names the service
// (its server_id); x-sentinel-server-id in SigV4's canonical form.
const ServerIDHeader = "X-Sentinel-Server-Id"

// RequestHashHeader is the signed header of the proof that holds
// RequestHash of the API call; x-sentinel-request-sha256 in canonical form.
const RequestHashHeader = "X-Sentinel-Request-Sha256"

// RequestHash is the lowercase hex SHA-256 of
// METHOD + "\n" + pathWithQuery + "\n" + body. pathWithQuery is the API path
// as documented ("/v1/..."), with the raw query if any, whatever prefix a
// gateway puts in front of it.
func RequestHash(method, pathWithQuery string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{'\n'})
	h.Write([]byte(pathWithQuery))
	h.Write([]byte{'\n'})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// isLowerHex64 reports whether s is 64 lowercase hex digits (a SHA-256).
func isLowerHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
