package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// maxServerIDLength bounds server_id: it travels in a signed header.
const maxServerIDLength = 128

// validate checks the server: section. An empty section is valid (no team
// service); a half-filled one is not.
func (s Server) validate() error {
	if s.URL == "" && s.ServerID == "" {
		return nil
	}
	if s.URL == "" {
		return errors.New("server.url is missing (server.server_id is set)")
	}
	if s.ServerID == "" {
		return errors.New("server.server_id is missing (server.url is set)")
	}
	if err := CheckServerURL(s.URL); err != nil {
		return fmt.Errorf("server.url: %w", err)
	}
	if err := CheckServerID(s.ServerID); err != nil {
		return fmt.Errorf("server.server_id: %w", err)
	}
	return nil
}

// CheckServerURL accepts the base URL of a team service: https to any host,
// or http only to a loopback host (127.0.0.0/8, ::1, localhost); no user
// info, query or fragment.
func CheckServerURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%q has no host", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return fmt.Errorf("%q: a server URL has no user, query or fragment", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q: plain http only to a loopback host; use https", raw)
	}
	return fmt.Errorf("%q: scheme must be https", raw)
}

// IsLoopbackHost reports whether host (without port) is a loopback address
// or localhost.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckServerID accepts 1-128 characters from [A-Za-z0-9._-].
func CheckServerID(id string) error {
	if id == "" || len(id) > maxServerIDLength {
		return fmt.Errorf("%d characters, want 1-%d", len(id), maxServerIDLength)
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return fmt.Errorf("%q: only letters, digits, '.', '_' and '-'", id)
		}
	}
	return nil
}
