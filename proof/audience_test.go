package proof

import (
	"strings"
	"testing"
)

func TestCanonicalAudience(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://team.example.com", "https://team.example.com"},
		{"https://team.example.com/", "https://team.example.com"},
		{"HTTPS://Team.Example.COM:443/", "https://team.example.com"},
		{"https://team.example.com:8443", "https://team.example.com:8443"},
		{"http://127.0.0.1:80", "http://127.0.0.1"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
		{"http://LOCALHOST:8080", "http://localhost:8080"},
		{"https://abc.execute-api.eu-west-1.amazonaws.com/prod/", "https://abc.execute-api.eu-west-1.amazonaws.com/prod"},
		{"https://team.example.com/Prod", "https://team.example.com/Prod"},
		{"https://[::1]:443/", "https://[::1]"},
		{"https://[::1]:8443/x", "https://[::1]:8443/x"},
	}
	for _, c := range cases {
		got, err := CanonicalAudience(c.in)
		if err != nil || got != c.want {
			t.Errorf("CanonicalAudience(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := []string{
		"", "team.example.com", "ftp://team.example.com", "https://u:p@team.example.com",
		"https://team.example.com?x", "https://team.example.com/#f", "https://team.example.com/a%2Fb",
		"https://team.example.com/../x", "https://team.example.com//x", "https://team.example.com:99999",
		"https://team.example.com:", "https://team example.com", "https://" + strings.Repeat("a", 600) + ".com",
	}
	for _, in := range bad {
		if got, err := CanonicalAudience(in); err == nil {
			t.Errorf("CanonicalAudience(%q) = %q, want an error", in, got)
		}
	}
}

// FuzzCanonicalAudience: any input either fails or gives a form that is
// its own canonical form, has no trailing "/", and is https or http.
func FuzzCanonicalAudience(f *testing.F) {
	for _, s := range []string{"https://team.example.com/", "HTTP://LocalHost:80/x/", "https://[::1]:443", "https://a/b/../c", "http://h:0", "https://h//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := CanonicalAudience(in)
		if err != nil {
			return
		}
		again, err := CanonicalAudience(got)
		if err != nil || again != got {
			t.Fatalf("%q -> %q -> %q, %v: not a fixed point", in, got, again, err)
		}
		if strings.HasSuffix(got, "/") || !(strings.HasPrefix(got, "https://") || strings.HasPrefix(got, "http://")) {
			t.Fatalf("%q -> %q", in, got)
		}
		if !validHeaderValue(got) {
			t.Fatalf("%q -> %q is not a header value", in, got)
		}
	})
}
