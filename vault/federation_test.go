package vault

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/fakesignin"
	"github.com/sentinel-cli/sentinel/internal/fakests"
)

func TestFederationEndpointAndDestination(t *testing.T) {
	tests := []struct {
		region, path      string
		endpoint, landing string
		bad               bool
	}{
		{"", "", "https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com/", false},
		{"eu-west-1", "", "https://signin.aws.amazon.com/federation", "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1", false},
		{"eu-west-1", "/s3/home", "https://signin.aws.amazon.com/federation", "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1", false},
		{"eu-west-1", "/ec2/home?tab=1", "https://signin.aws.amazon.com/federation", "https://eu-west-1.console.aws.amazon.com/ec2/home?tab=1&region=eu-west-1", false},
		{"cn-north-1", "", "https://signin.amazonaws.cn/federation", "https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1", false},
		{"us-gov-west-1", "/iam", "https://signin.amazonaws-us-gov.com/federation", "https://us-gov-west-1.console.amazonaws-us-gov.com/iam?region=us-gov-west-1", false},
		{"eu-west-1", "https://evil.example/", "", "", true},
		{"eu-west-1", "//evil.example/", "", "", true},
		{"eu-west-1", "s3/home", "", "", true},
		{"eu-west-1", "/s3 home", "", "", true},
		{"eu-west-1", "/s3\nhome", "", "", true},
	}
	for _, tt := range tests {
		if got := FederationEndpoint(tt.region); !tt.bad && got != tt.endpoint {
			t.Errorf("FederationEndpoint(%q) = %q, want %q", tt.region, got, tt.endpoint)
		}
		got, err := ConsoleDestination(tt.region, tt.path)
		switch {
		case tt.bad && err == nil:
			t.Errorf("ConsoleDestination(%q, %q) = %q, want an error", tt.region, tt.path, got)
		case !tt.bad && (err != nil || got != tt.landing):
			t.Errorf("ConsoleDestination(%q, %q) = %q, %v; want %q", tt.region, tt.path, got, err, tt.landing)
		}
	}
}

func FuzzConsoleDestination(f *testing.F) {
	for _, s := range []string{"", "/s3/home", "//x", "https://x/", "/a?b=c", "/\x00"} {
		f.Add("eu-west-1", s)
	}
	f.Fuzz(func(t *testing.T, region, path string) {
		got, err := ConsoleDestination(region, path)
		if err != nil || path == "" {
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("destination %q does not parse: %v", got, err)
		}
		if !strings.HasSuffix(u.Host, "console.aws.amazon.com") && !strings.HasSuffix(u.Host, "console.amazonaws.cn") && !strings.HasSuffix(u.Host, "console.amazonaws-us-gov.com") {
			t.Fatalf("path %q lands on host %q", path, u.Host)
		}
	})
}

func TestSigninToken(t *testing.T) {
	sts := fakests.New()
	defer sts.Close()
	sts.AddUser("AKIAALICEEXAMPLE0001", "arn:aws:iam::111122223333:user/alice", "111122223333")
	sts.AllowRole("arn:aws:iam::111122223333:role/dev", "arn:aws:iam::111122223333:user/alice")
	signin := fakesignin.New(sts)
	defer signin.Close()
	ctx := context.Background()
	keys := Credentials{AccessKeyID: "AKIAALICEEXAMPLE0001", SecretAccessKey: "fake-secret-for-tests-only"}
	client, err := NewSTS(ctx, "us-east-1", keys, STSOptions{Endpoint: sts.URL(), MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	role, err := client.AssumeRole(ctx, AssumeRoleInput{RoleARN: "arn:aws:iam::111122223333:role/dev", SessionName: "alice", Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	session, err := client.GetSessionToken(ctx, time.Hour, "", "")
	if err != nil {
		t.Fatal(err)
	}
	fedCreds, err := client.GetFederationToken(ctx, "alice", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	fed := Federation{Endpoint: signin.URL()}
	tests := []struct {
		name     string
		creds    Credentials
		duration time.Duration
		ok       bool
	}{
		{"role credentials", role, 30 * time.Minute, true},
		{"federation token", fedCreds, 0, true},
		{"federation token with a session duration", fedCreds, 30 * time.Minute, false},
		{"session-token credentials", session, 0, false},
		{"long-lived keys", keys, 0, false},
		{"session too short", role, 10 * time.Minute, false},
		{"session too long", role, 13 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := fed.SigninToken(ctx, "eu-west-1", tt.creds, tt.duration)
			if tt.ok != (err == nil) {
				t.Fatalf("SigninToken: %q, %v", token, err)
			}
			if err != nil {
				if !errors.Is(err, ErrSignin) {
					t.Errorf("error %v does not match ErrSignin", err)
				}
				if strings.Contains(err.Error(), tt.creds.SecretAccessKey) {
					t.Errorf("error shows the secret: %v", err)
				}
			}
		})
	}
	if _, err := (Federation{Endpoint: "ftp://x"}).SigninToken(ctx, "", role, 0); !errors.Is(err, ErrSignin) {
		t.Errorf("ftp endpoint: %v", err)
	}
	if got := fed.LoginURL("", "tok", "https://console.aws.amazon.com/", "sentinel"); got != signin.URL()+"?Action=login&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F&Issuer=sentinel&SigninToken=tok" {
		t.Errorf("LoginURL = %q", got)
	}
}

func TestConsoleDestinationRejectsOddRegions(t *testing.T) {
	for _, r := range []string{" ", "eu west 1", "evil.example/", "EU-WEST-1", "eu-west-1.evil"} {
		if got, err := ConsoleDestination(r, ""); err == nil {
			t.Errorf("ConsoleDestination(%q) = %q, want an error", r, got)
		}
	}
}

func FuzzSigninTokenAnswer(f *testing.F) {
	f.Add(200, []byte(`{"SigninToken":"abc"}`))
	f.Add(200, []byte(`{"SigninToken":""}`))
	f.Add(400, []byte(`<html>`))
	var body []byte
	var status int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	f.Cleanup(srv.Close)
	creds := Credentials{AccessKeyID: "ASIAFAKE", SecretAccessKey: "secret-value-x", SessionToken: "t"}
	f.Fuzz(func(t *testing.T, s int, b []byte) {
		if s < 200 || s > 599 {
			return
		}
		status, body = s, b
		token, err := Federation{Endpoint: srv.URL}.SigninToken(context.Background(), "", creds, 0)
		if err == nil && (token == "" || s != http.StatusOK) {
			t.Fatalf("accepted status %d body %q as %q", s, b, token)
		}
		if err != nil && (!errors.Is(err, ErrSignin) || strings.Contains(err.Error(), creds.SecretAccessKey)) {
			t.Fatalf("error %v", err)
		}
	})
}
