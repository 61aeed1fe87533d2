//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestServerChildEnv(t *testing.T) {
	parent := []string{
		"PATH=/usr/bin", "HOME=/home/a", "AWS_CONFIG_FILE=/home/a/.aws/config", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_ACCESS_KEY_ID=AKIAFAKE", "AWS_SECRET_ACCESS_KEY=fake", "AWS_SESSION_TOKEN=t", "AWS_SECURITY_TOKEN=t",
		"AWS_PROFILE=prod", "AWS_DEFAULT_PROFILE=prod", "AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/x", "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:1/old",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN=old", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/t",
		"AWS_WEB_IDENTITY_TOKEN_FILE=/w", "AWS_ROLE_ARN=arn:aws:iam::1:role/r", "AWS_ROLE_SESSION_NAME=s",
		"AWS_CREDENTIAL_EXPIRATION=2030-01-01T00:00:00Z", "SENTINEL_PROFILE=other",
		"SENTINEL_FILE_PASSPHRASE=p", "AWS_VAULT_FILE_PASSPHRASE=p", "SENTINEL_BACKEND=file",
	}
	tests := []struct {
		name, region string
		want         []string
	}{
		{"with region", "eu-west-1", []string{
			"PATH=/usr/bin", "HOME=/home/a", "AWS_CONFIG_FILE=/home/a/.aws/config", "AWS_EC2_METADATA_DISABLED=true",
			"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:4242/sentinel/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN=tok",
			"SENTINEL_PROFILE=dev", "AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1",
		}},
		{"no region", "", []string{
			"PATH=/usr/bin", "HOME=/home/a", "AWS_CONFIG_FILE=/home/a/.aws/config", "AWS_EC2_METADATA_DISABLED=true",
			"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:4242/sentinel/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN=tok",
			"SENTINEL_PROFILE=dev",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := serverChildEnv(parent, "http://127.0.0.1:4242/sentinel/credentials", "tok", "dev", tt.region, "")
			if !slices.Equal(got, tt.want) {
				t.Errorf("env:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDefaultCredentialsWarning(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keys := write("keys", "[default]\naws_access_key_id = AKIAFAKEDEFAULT\naws_secret_access_key = fake-secret\n")
	otherKeys := write("other", "[work]\naws_access_key_id = AKIAFAKEWORK\n")
	regionOnly := write("config-region", "[default]\nregion = eu-west-1\n[profile dev]\ncredential_process = x\n")
	process := write("config-process", "[profile default]\ncredential_process = /bin/creds\n")
	sso := write("config-sso", "[default]\nsso_session = corp\nregion = eu-west-1\n")
	garbage := write("garbage", "[unterminated\n\x00")
	missing := filepath.Join(dir, "missing")

	tests := []struct {
		name, creds, config string
		want                []string // parts of the warning; nil means none
	}{
		{"nothing", missing, missing, nil},
		{"region only", missing, regionOnly, nil},
		{"keys of another profile", otherKeys, regionOnly, nil},
		{"default keys", keys, regionOnly, []string{"aws_access_key_id in [default] of " + keys}},
		{"credential_process in config", missing, process, []string{"credential_process in [profile default] of " + process}},
		{"sso in config", missing, sso, []string{"sso_session in [default] of " + sso}},
		{"both", keys, sso, []string{"aws_access_key_id in [default] of " + keys, "sso_session in [default] of " + sso}},
		{"unreadable files", garbage, dir, nil},
		{"no paths", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := defaultCredentialsWarning(tt.creds, tt.config)
			if tt.want == nil {
				if got != "" {
					t.Errorf("warning %q, want none", got)
				}
				return
			}
			for _, part := range tt.want {
				if !strings.Contains(got, part) {
					t.Errorf("warning %q lacks %q", got, part)
				}
			}
			if !strings.HasSuffix(got, "may use that instead of the credential server") {
				t.Errorf("warning %q does not say why it matters", got)
			}
			if strings.Contains(got, "AKIAFAKE") || strings.Contains(got, "fake-secret") {
				t.Errorf("warning shows a value: %q", got)
			}
		})
	}
}

func TestRunChildExitCodes(t *testing.T) {
	tests := []struct {
		script string
		want   int
	}{
		{"exit 0", 0},
		{"exit 7", 7},
		{"kill -KILL $$", 128 + int(syscall.SIGKILL)},
		{"kill -TERM $$", 128 + int(syscall.SIGTERM)},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			code, err := runChild("/bin/sh", []string{"sh", "-c", tt.script}, []string{"PATH=/usr/bin:/bin"})
			if err != nil || code != tt.want {
				t.Errorf("runChild = %d, %v; want %d", code, err, tt.want)
			}
		})
	}
	if _, err := runChild(filepath.Join(t.TempDir(), "missing"), []string{"missing"}, nil); err == nil || !strings.HasPrefix(err.Error(), "run ") {
		t.Errorf("missing command: %v", err)
	}
}

func TestTerminalDeliveredOnlyConcernsTerminalSignals(t *testing.T) {
	for _, s := range []os.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		if terminalDelivered(s) {
			t.Errorf("%v counted as sent by the terminal", s)
		}
	}
}
