package server

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/config"
	"github.com/sentinel-cli/sentinel/internal/safefile"
)

const validServeConfig = `server_id: team-prod
listen: 127.0.0.1:8443
policy: /etc/sentinel/policy.yaml
accounts: ["111111111111"]
store: {backend: dynamodb, region: eu-west-1, tables: {requests: r, breakglass: b, sessions: s}}
log: {file: /var/log/sentinel/decisions.jsonl, stdout: true}
tls: {cert: server.pem, key: server-key.pem}
`

func TestParseServeConfig(t *testing.T) {
	c, err := ParseServeConfig([]byte(validServeConfig))
	if err != nil {
		t.Fatal(err)
	}
	if c.ServerID != "team-prod" || c.Listen != "127.0.0.1:8443" || c.Store.Tables.Sessions != "s" || !c.Log.Stdout || !c.HasTLS() || c.Accounts[0] != "111111111111" {
		t.Errorf("decoded %+v", c)
	}
	local := "server_id: t\npolicy: /p\naccounts: ['111111111111']\nstore: {backend: local, path: /var/lib/s.db}\nlog: {stdout: true}\n"
	if _, err := ParseServeConfig([]byte(local)); err != nil {
		t.Errorf("local store config: %v", err)
	}
	base := strings.Replace(validServeConfig, "tls: {cert: server.pem, key: server-key.pem}\n", "", 1)
	for _, c := range []struct{ name, yaml, want string }{
		{"empty", "", "empty"},
		{"unknown key", validServeConfig + "debug: true\n", "debug"},
		{"unknown nested key", strings.Replace(validServeConfig, "stdout: true", "stdout: true, level: info", 1), "level"},
		{"two documents", validServeConfig + "---\nserver_id: other\n", "more than one"},
		{"no server id", strings.Replace(validServeConfig, "server_id: team-prod", "server_id: ''", 1), "server_id"},
		{"bad server id", strings.Replace(validServeConfig, "team-prod", "team prod", 1), "server_id"},
		{"no policy", strings.Replace(validServeConfig, "policy: /etc/sentinel/policy.yaml\n", "", 1), "policy"},
		{"no accounts", strings.Replace(validServeConfig, `accounts: ["111111111111"]`, "accounts: []", 1), "accounts"},
		{"bad account", strings.Replace(validServeConfig, "111111111111", "1111", 1), "accounts"},
		{"duplicate account", strings.Replace(validServeConfig, `["111111111111"]`, `["111111111111", "111111111111"]`, 1), "twice"},
		{"no backend", strings.Replace(validServeConfig, "backend: dynamodb, ", "", 1), "store.backend"},
		{"bad backend", strings.Replace(validServeConfig, "backend: dynamodb", "backend: s3", 1), "store.backend"},
		{"local without path", strings.Replace(base, "backend: dynamodb, region: eu-west-1, tables: {requests: r, breakglass: b, sessions: s}", "backend: local", 1), "store.path"},
		{"local with tables", strings.Replace(base, "backend: dynamodb,", "backend: local, path: /x,", 1), "store.tables"},
		{"bad region", strings.Replace(validServeConfig, "eu-west-1", "EU West", 1), "region"},
		{"no log", strings.Replace(validServeConfig, "log: {file: /var/log/sentinel/decisions.jsonl, stdout: true}", "log: {}", 1), "log"},
		{"cert without key", strings.Replace(validServeConfig, ", key: server-key.pem", "", 1), "tls"},
		{"bad listen", strings.Replace(validServeConfig, "127.0.0.1:8443", "8443", 1), "listen"},
		{"wrong type", strings.Replace(validServeConfig, "stdout: true", "stdout: [yes]", 1), "line 6"},
		{"http endpoint off loopback", validServeConfig + "sts_endpoint: http://sts.example.com\n", "loopback"},
		{"endpoint with query", validServeConfig + "sts_endpoint: https://sts.example.com/?a=b\n", "sts_endpoint"},
		{"endpoint with user", validServeConfig + "sts_endpoint: https://u:p@sts.example.com\n", "sts_endpoint"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseServeConfig([]byte(c.yaml))
			if err == nil || !errors.Is(err, ErrServeConfig) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line about %q", err, c.want)
			}
		})
	}
}

func TestServeConfigListenAndEndpoint(t *testing.T) {
	c, err := ParseServeConfig([]byte(strings.Replace(validServeConfig, "tls: {cert: server.pem, key: server-key.pem}\n", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	for addr, ok := range map[string]bool{"127.0.0.1:8443": true, "[::1]:80": true, "localhost:1": true, "0.0.0.0:8443": false, ":8443": false, "10.0.0.1:443": false, "nonsense": false} {
		if err := c.CheckListen(addr); (err == nil) != ok {
			t.Errorf("plain HTTP on %s: %v", addr, err)
		}
	}
	c.TLS = ServeTLS{Cert: "c", Key: "k"}
	if err := c.CheckListen("0.0.0.0:8443"); err != nil {
		t.Errorf("TLS on any address: %v", err)
	}
	for _, tc := range []struct{ cfg, env, region, want string }{
		{"https://sts.internal:8443", "http://127.0.0.1:1", "eu-west-1", "https://sts.internal:8443"},
		{"", "http://127.0.0.1:1", "eu-west-1", "http://127.0.0.1:1"},
		{"", "", "eu-west-1", "https://sts.eu-west-1.amazonaws.com"},
	} {
		c.STSEndpoint = tc.cfg
		got, err := c.ResolveSTSEndpoint(tc.env, tc.region)
		if err != nil || got != tc.want {
			t.Errorf("endpoint %q %q %q: %q %v", tc.cfg, tc.env, tc.region, got, err)
		}
	}
	c.STSEndpoint = ""
	if _, err := c.ResolveSTSEndpoint("", ""); err == nil {
		t.Error("no region and no endpoint accepted")
	}
	if _, err := c.ResolveSTSEndpoint("http://sts.evil.example", "eu-west-1"); err == nil {
		t.Error("plain http endpoint from the environment accepted")
	}
}

func TestReadServeConfigIsSafe(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "serve.yaml")
	if err := os.WriteFile(path, []byte(validServeConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := ReadServeConfig(path)
	if err != nil || c.Path != path {
		t.Fatalf("read: %v", err)
	}
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadServeConfig(path); !errors.Is(err, safefile.ErrUnsafe) {
		t.Errorf("world-writable config: %v", err)
	}
	link := filepath.Join(dir, "link.yaml")
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadServeConfig(link); !errors.Is(err, safefile.ErrUnsafe) {
		t.Errorf("config through a symbolic link: %v", err)
	}
}

func FuzzParseServeConfig(f *testing.F) {
	f.Add([]byte(validServeConfig))
	f.Add([]byte("server_id: t\npolicy: /p\naccounts: ['111111111111']\nstore: {backend: local, path: /s}\nlog: {stdout: true}\n"))
	f.Add([]byte("{}"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("server_id: &a x\nlisten: *a\n"))
	f.Add([]byte("server_id: t\npolicy: /p\naccounts: ['111111111111']\nstore: {backend: local, path: /s}\nlog: {stdout: true, hmac_key: {ssm: /k}}\nallow_env: [AWS_ENDPOINT_URL_STS]\n" +
		"notify: [{url: 'https://h.example', events: [request.created], secret: {secret_arn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:s-AbCdEf'}}]\n"))
	f.Add([]byte(validServeConfig + "revoke_in_aws: {enabled: true, revokers: {'222222222222': 'arn:aws:iam::222222222222:role/r'}}\n"))
	f.Add([]byte(validServeConfig + "revoke_in_aws: {revokers: {'2': 'arn:aws:iam::3:role/*'}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseServeConfig(data)
		if err != nil {
			if c != nil || !errors.Is(err, ErrServeConfig) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("bad refusal: %v", err)
			}
			return
		}
		// What it accepts is complete and self-consistent.
		if c.ServerID == "" || c.Policy == "" || len(c.Accounts) == 0 || (c.Log.File == "" && !c.Log.Stdout) {
			t.Fatalf("accepted an incomplete config: %+v", c)
		}
		if c.Store.Backend != StoreLocal && c.Store.Backend != StoreDynamoDB {
			t.Fatalf("accepted backend %q", c.Store.Backend)
		}
		if checkAllowEnv(c.AllowEnv) != nil || (!c.Log.HMACKey.IsZero() && c.Log.HMACKey.Check() != nil) {
			t.Fatalf("accepted allow_env %v or hmac_key %+v that do not check", c.AllowEnv, c.Log.HMACKey)
		}
		if len(c.RevokeInAWS.Revokers) > 0 && !c.RevokeInAWS.Enabled {
			t.Fatal("accepted revokers without enabled: true")
		}
		for account, arn := range c.RevokeInAWS.Revokers {
			if got, err := config.RoleARNAccount(arn); err != nil || got != account {
				t.Fatalf("accepted revoker %q for account %q", arn, account)
			}
		}
	})
}

func TestServeConfigRevokeInAWS(t *testing.T) {
	const own, other = "111111111111", "222222222222"
	for _, c := range []struct {
		name, yaml string
		enabled    bool
		want       map[string]string
		wantErr    string
	}{
		{name: "absent", yaml: ""},
		{name: "own account omitted", yaml: "revoke_in_aws: {enabled: true}\n", enabled: true},
		{name: "revokers", yaml: "revoke_in_aws:\n  enabled: true\n  revokers:\n    \"222222222222\": arn:aws:iam::222222222222:role/sentinel-revoker\n    111111111111: arn:aws:iam::111111111111:role/sentinel/revoker\n",
			enabled: true, want: map[string]string{other: "arn:aws:iam::222222222222:role/sentinel-revoker", own: "arn:aws:iam::111111111111:role/sentinel/revoker"}},
		{name: "revokers without enabled", yaml: "revoke_in_aws: {revokers: {'222222222222': 'arn:aws:iam::222222222222:role/r'}}\n", wantErr: "enabled is not true"},
		{name: "unknown key", yaml: "revoke_in_aws:\n  enabled: true\n  revoker_roles: {}\n", wantErr: "line 10: field revoker_roles not found"},
		{name: "enabled not a bool", yaml: "revoke_in_aws: {enabled: [yes]}\n", wantErr: "line 8"},
		{name: "bad account", yaml: "revoke_in_aws: {enabled: true, revokers: {'2222': 'arn:aws:iam::222222222222:role/r'}}\n", wantErr: `revoke_in_aws.revokers: "2222" is not a 12-digit account ID`},
		{name: "role of another account", yaml: "revoke_in_aws: {enabled: true, revokers: {'222222222222': 'arn:aws:iam::333333333333:role/r'}}\n", wantErr: "is in account 333333333333, not 222222222222"},
		{name: "not a role", yaml: "revoke_in_aws: {enabled: true, revokers: {'222222222222': 'arn:aws:iam::222222222222:policy/r'}}\n", wantErr: "not a role ARN"},
		{name: "wildcard role", yaml: "revoke_in_aws: {enabled: true, revokers: {'222222222222': 'arn:aws:iam::222222222222:role/*'}}\n", wantErr: "revoke_in_aws.revokers.222222222222"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := ParseServeConfig([]byte(validServeConfig + c.yaml))
			if c.wantErr != "" {
				if err == nil || !errors.Is(err, ErrServeConfig) || !strings.Contains(err.Error(), c.wantErr) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("error %v, want one line containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.RevokeInAWS.Enabled != c.enabled || len(cfg.RevokeInAWS.Revokers) != len(c.want) {
				t.Fatalf("revoke_in_aws %+v", cfg.RevokeInAWS)
			}
			for acct, arn := range c.want {
				if got, ok := cfg.RevokeInAWS.RevokerFor(acct); !ok || got != arn {
					t.Errorf("RevokerFor(%s) = %q, %v; want %q", acct, got, ok, arn)
				}
			}
			if _, ok := cfg.RevokeInAWS.RevokerFor("999999999999"); ok {
				t.Error("RevokerFor an unlisted account found one")
			}
		})
	}
}
