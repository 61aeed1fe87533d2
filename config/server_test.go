package config

import (
	"strings"
	"testing"
)

func TestParseServer(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
		want    Server
	}{
		{name: "none", yaml: "policy: x\n"},
		{name: "https", yaml: "server:\n  url: https://sentinel.example.com\n  server_id: team-prod\n",
			want: Server{URL: "https://sentinel.example.com", ServerID: "team-prod"}},
		{name: "http loopback", yaml: "server: {url: \"http://127.0.0.1:8443\", server_id: t}\n",
			want: Server{URL: "http://127.0.0.1:8443", ServerID: "t"}},
		{name: "http localhost", yaml: "server: {url: \"http://localhost:8443/prefix\", server_id: t}\n",
			want: Server{URL: "http://localhost:8443/prefix", ServerID: "t"}},
		{name: "http ipv6 loopback", yaml: "server: {url: \"http://[::1]:8443\", server_id: t}\n",
			want: Server{URL: "http://[::1]:8443", ServerID: "t"}},
		{name: "http remote", yaml: "server: {url: \"http://sentinel.example.com\", server_id: t}\n", wantErr: "plain http only to a loopback host"},
		{name: "other scheme", yaml: "server: {url: \"ftp://x\", server_id: t}\n", wantErr: "scheme must be https"},
		{name: "no host", yaml: "server: {url: \"https://\", server_id: t}\n", wantErr: "has no host"},
		{name: "user info", yaml: "server: {url: \"https://u:p@x\", server_id: t}\n", wantErr: "no user, query or fragment"},
		{name: "query", yaml: "server: {url: \"https://x/?a=b\", server_id: t}\n", wantErr: "no user, query or fragment"},
		{name: "url without id", yaml: "server: {url: \"https://x\"}\n", wantErr: "server.server_id is missing"},
		{name: "id without url", yaml: "server: {server_id: t}\n", wantErr: "server.url is missing"},
		{name: "bad id", yaml: "server: {url: \"https://x\", server_id: \"a b\"}\n", wantErr: "server.server_id"},
		{name: "long id", yaml: "server: {url: \"https://x\", server_id: " + strings.Repeat("a", 129) + "}\n", wantErr: "server.server_id"},
		{name: "unknown key", yaml: "server: {url: \"https://x\", server_id: t, sts: y}\n", wantErr: "field sts not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := parseCase(t, tt.yaml, tt.wantErr)
			if !ok {
				return
			}
			if c.Server != tt.want || c.Server.Configured() != (tt.want.URL != "") {
				t.Errorf("server %+v, want %+v", c.Server, tt.want)
			}
		})
	}
}

func FuzzCheckServerURL(f *testing.F) {
	for _, s := range []string{"https://x", "http://127.0.0.1:1", "http://evil.com", "http://127.0.0.1.evil.com", "http://[::1]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if CheckServerURL(raw) != nil {
			return
		}
		if l := strings.ToLower(raw); !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "http://") {
			t.Fatalf("accepted %q", raw)
		}
	})
}
