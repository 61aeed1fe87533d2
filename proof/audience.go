package proof

import (
	"fmt"
	"strconv"
	"strings"
)

// AudienceHeader is the signed header that names the service a proof is
// for: the base URL the client calls, in the form CanonicalAudience
// gives. server_id is public (GET /v1/info), so a look-alike service can
// echo it; it cannot make a client sign its real service's URL when the
// client is calling the look-alike's.
const AudienceHeader = "X-Sentinel-Audience"

// maxAudience bounds an audience; a base URL is a host and a short prefix.
const maxAudience = 512

// CanonicalAudience returns the canonical form of a service's base URL:
// lower-case scheme (https or http) and host, the port only when it is
// not the scheme's default, the path prefix as given, and no trailing
// "/". It refuses userinfo, a query, a fragment, escaped or dot path
// segments, and anything over 512 bytes. Client and service both compare
// this form, so that https://Team.Example.com:443/ and
// https://team.example.com are one audience.
func CanonicalAudience(raw string) (string, error) {
	if len(raw) > maxAudience {
		return "", fmt.Errorf("audience longer than %d bytes", maxAudience)
	}
	u, err := parseEndpoint(raw)
	if err != nil {
		return "", err
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return "", fmt.Errorf("port out of range")
		}
	}
	path := strings.TrimRight(u.Path, "/")
	if strings.Contains(path, "//") {
		return "", fmt.Errorf("path with an empty segment")
	}
	return u.Scheme + "://" + u.Host + path, nil
}
