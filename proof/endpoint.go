package proof

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// parseEndpoint parses an STS endpoint URL strictly and returns it in its
// normal form: lowercase scheme and host, no default port, path "/" when
// empty. It refuses userinfo, a query (even an empty "?"), a fragment, an
// opaque URL and a path with anything but unreserved characters and "/".
func parseEndpoint(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("empty URL")
	}
	if strings.ContainsAny(raw, "#?@\\ \t\r\n") {
		return nil, errors.New("URL with a query, fragment, userinfo, backslash or space")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a URL")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return nil, errors.New("scheme is neither https nor http")
	}
	if u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.RawPath != "" {
		return nil, errors.New("URL with userinfo, query, fragment or escaped path")
	}
	host := strings.ToLower(u.Host)
	hostname, port := u.Hostname(), u.Port()
	if hostname == "" || !validHostname(hostname) {
		return nil, errors.New("missing or malformed host")
	}
	if strings.Contains(host, ":") && port == "" && !strings.HasPrefix(host, "[") {
		return nil, errors.New("empty port")
	}
	if port != "" {
		if !allDigits(port) || len(port) > 5 {
			return nil, errors.New("malformed port")
		}
		if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
			host = strings.ToLower(hostname)
			if strings.Contains(hostname, ":") {
				host = "[" + host + "]"
			}
		}
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	if path[0] != '/' {
		return nil, errors.New("relative path")
	}
	for i := 0; i < len(path); i++ {
		c := path[i]
		if !(c == '/' || c == '-' || c == '.' || c == '_' || c == '~' ||
			c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return nil, errors.New("path with characters that need escaping")
		}
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return nil, errors.New("path with dot segments")
		}
	}
	return &url.URL{Scheme: scheme, Host: host, Path: path}, nil
}

// validHostname accepts a DNS name or an IP literal.
func validHostname(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return false
			}
		}
	}
	return true
}

// validRegion accepts region names such as eu-west-1 or us-gov-west-1.
func validRegion(r string) bool {
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

// validHeaderValue accepts printable ASCII without leading or trailing
// space, so a value survives SigV4's canonical form unchanged.
func validHeaderValue(v string) bool {
	if strings.TrimSpace(v) != v {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return false
		}
	}
	return !strings.Contains(v, "  ")
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
