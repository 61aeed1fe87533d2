package server

import (
	"net"
	"slices"
	"strings"
	"testing"
)

func TestServeConfigAudiences(t *testing.T) {
	parse := func(extra string) (*ServeConfig, error) {
		return ParseServeConfig([]byte(validServeConfig + extra))
	}
	c, err := parse("public_urls: ['HTTPS://Team.Example.com:443/', 'https://api.example.com/prod/']\n")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.PublicAudiences(), []string{"https://team.example.com", "https://api.example.com/prod"}; !slices.Equal(got, want) {
		t.Fatalf("PublicAudiences = %v, want %v", got, want)
	}
	for _, bad := range []string{
		"public_urls: ['http://team.example.com']",      // plain http off loopback
		"public_urls: ['https://team.example.com?x=1']", // query
		"public_urls: ['https://u@team.example.com']",   // userinfo
		"public_urls: ['team.example.com']",             // no scheme
		"public_urls: ['https://team.example.com/a//b']",
	} {
		if _, err := parse(bad + "\n"); err == nil || !strings.Contains(err.Error(), "public_urls") {
			t.Errorf("%s: %v", bad, err)
		}
	}

	tcp := func(s string) net.Addr {
		a, err := net.ResolveTCPAddr("tcp", s)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	noTLS := &ServeConfig{}
	for _, c := range []struct {
		cfg  *ServeConfig
		addr string
		want []string
	}{
		{noTLS, "127.0.0.1:8080", []string{"http://127.0.0.1:8080", "http://localhost:8080"}},
		{noTLS, "[::1]:8080", []string{"http://[::1]:8080", "http://localhost:8080"}},
		{&ServeConfig{TLS: ServeTLS{Cert: "c", Key: "k"}}, "127.0.0.1:443", []string{"https://127.0.0.1", "https://localhost"}},
		{&ServeConfig{TLS: ServeTLS{Cert: "c", Key: "k"}, PublicURLs: []string{"https://team.example.com"}}, "0.0.0.0:8443", []string{"https://team.example.com"}},
		{&ServeConfig{PublicURLs: []string{"https://team.example.com/"}}, "127.0.0.1:80", []string{"https://team.example.com", "http://127.0.0.1", "http://localhost"}},
	} {
		got, err := c.cfg.Audiences(tcp(c.addr))
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("Audiences(%s) = %v, %v; want %v", c.addr, got, err, c.want)
		}
	}
	// A listener others reach, without public_urls: no audience, refused
	// at start rather than refusing every call.
	if got, err := (&ServeConfig{TLS: ServeTLS{Cert: "c", Key: "k"}}).Audiences(tcp("0.0.0.0:8443")); err == nil {
		t.Fatalf("Audiences without public_urls on 0.0.0.0 = %v", got)
	}
}
