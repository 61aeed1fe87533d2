package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestListenLoopbackServesOnLoopbackOnly(t *testing.T) {
	uri := startLoopback(t, &staticSource{creds: testCredentials()})
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Port() == "0" || u.Path != CredentialsPath {
		t.Fatalf("URI %s, want http://127.0.0.1:PORT%s", uri, CredentialsPath)
	}
	tests := []struct {
		name string
		host string
		want int
	}{
		{"own address", "", 200},
		{"rebound name", "evil.example:" + u.Port(), http.StatusMisdirectedRequest},
		{"localhost", "localhost:" + u.Port(), http.StatusMisdirectedRequest},
		{"no port", "127.0.0.1", http.StatusMisdirectedRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", uri, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", testToken)
			if tt.host != "" {
				req.Host = tt.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestLoopbackRefusesHugeHeaders(t *testing.T) {
	uri := startLoopback(t, &staticSource{creds: testCredentials()})
	req, err := http.NewRequest("GET", uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", testToken)
	req.Header.Set("X-Padding", strings.Repeat("a", 64<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d, want 431", resp.StatusCode)
	}
}

func TestLoopbackCloseStopsServing(t *testing.T) {
	l, err := ListenLoopback(NewCredentialsHandler(&staticSource{creds: testCredentials()}, testToken, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 2 * time.Second}
	if resp, err := client.Get(l.URL + CredentialsPath); err == nil {
		resp.Body.Close()
		t.Fatal("server still answers after Close")
	}
}
