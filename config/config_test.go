package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
		check   func(t *testing.T, c *Config)
	}{
		{name: "empty file gives defaults", yaml: "", check: func(t *testing.T, c *Config) {
			if c.Store.Backend != BackendLocal || c.IdentityProfile != "default" || c.Store.Tables.Requests != DefaultRequestsTable {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{name: "full", yaml: "policy: /p.yaml\nlog: /l.jsonl\nidentity_profile: me\nstore:\n  backend: dynamodb\n  region: eu-west-1\n  tables: {requests: r, breakglass: b, sessions: s}\n",
			check: func(t *testing.T, c *Config) {
				if c.Policy != "/p.yaml" || c.Log != "/l.jsonl" || c.IdentityProfile != "me" || c.Store.Backend != BackendDynamoDB ||
					c.Store.Region != "eu-west-1" || c.Store.Tables != (Tables{Requests: "r", Breakglass: "b", Sessions: "s"}) {
					t.Errorf("parsed: %+v", c)
				}
			}},
		{name: "unknown key", yaml: "policy: x\npolcy: y\n", wantErr: "line 2: field polcy not found"},
		{name: "wrong type", yaml: "store: [a]\n", wantErr: "line 1"},
		{name: "bad backend", yaml: "store:\n  backend: redis\n", wantErr: `store.backend "redis" is not one of local, dynamodb`},
		{name: "not yaml", yaml: "policy: [\n", wantErr: "config.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.yaml), "config.yaml")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "config.yaml") {
					t.Fatalf("error %v, want one naming the file and containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadMissingFileGivesDefaults(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "none.yaml"))
	if err != nil || c.Store.Backend != BackendLocal {
		t.Fatalf("Load of a missing file: %+v, %v", c, err)
	}
}

func TestPathResolution(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("SENTINEL_POLICY", "")
	t.Setenv("SENTINEL_CONFIG", "")
	c := &Config{}
	c.applyDefaults()

	if got, want := DefaultPath(), filepath.Join(home, ".config", "sentinel", "config.yaml"); got != want {
		t.Errorf("DefaultPath = %s, want %s", got, want)
	}
	if got, want := c.PolicyPath(""), filepath.Join(home, ".config", "sentinel", "policy.yaml"); got != want {
		t.Errorf("default policy path = %s, want %s", got, want)
	}
	if got, want := c.LogPath(""), filepath.Join(home, ".local", "state", "sentinel", "decisions.jsonl"); got != want {
		t.Errorf("default log path = %s, want %s", got, want)
	}
	if got, want := c.Store.Path, filepath.Join(home, ".local", "state", "sentinel", "state.db"); got != want {
		t.Errorf("default store path = %s, want %s", got, want)
	}

	c.Policy, c.Log = "/from/config.yaml", "/from/config.jsonl"
	if c.PolicyPath("") != "/from/config.yaml" || c.LogPath("") != "/from/config.jsonl" {
		t.Error("config values not used")
	}
	t.Setenv("SENTINEL_POLICY", "/from/env.yaml")
	if c.PolicyPath("") != "/from/env.yaml" {
		t.Error("$SENTINEL_POLICY does not win over the config")
	}
	if c.PolicyPath("/from/flag.yaml") != "/from/flag.yaml" || c.LogPath("/flag.jsonl") != "/flag.jsonl" {
		t.Error("the flag does not win")
	}
	t.Setenv("SENTINEL_CONFIG", "/etc/sentinel.yaml")
	t.Setenv("XDG_STATE_HOME", "/xdg/state")
	if DefaultPath() != "/etc/sentinel.yaml" || StateDir() != "/xdg/state/sentinel" {
		t.Errorf("env not honoured: %s %s", DefaultPath(), StateDir())
	}
	// A relative XDG directory is invalid by the spec and ignored.
	t.Setenv("XDG_STATE_HOME", "relative")
	t.Setenv("XDG_CONFIG_HOME", "relative")
	if want := filepath.Join(home, ".local", "state", "sentinel"); StateDir() != want {
		t.Errorf("StateDir with a relative XDG_STATE_HOME = %s, want %s", StateDir(), want)
	}
	if want := filepath.Join(home, ".config", "sentinel"); ConfigDir() != want {
		t.Errorf("ConfigDir with a relative XDG_CONFIG_HOME = %s, want %s", ConfigDir(), want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("policy: x\nstore:\n  backend: dynamodb\n"))
	f.Add([]byte("store: {tables: {requests: r}}"))
	f.Add([]byte("- a\n- b"))
	f.Add([]byte("revoke_in_aws: {revokers: {'111111111111': 'arn:aws:iam::111111111111:role/r'}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz.yaml")
		if err == nil && (c.Store.Backend != BackendLocal && c.Store.Backend != BackendDynamoDB) {
			t.Fatalf("accepted backend %q", c.Store.Backend)
		}
		if err == nil {
			for account, arn := range c.RevokeInAWS.Revokers {
				if got, aerr := RoleARNAccount(arn); aerr != nil || got != account {
					t.Fatalf("accepted revoker %q for account %q", arn, account)
				}
			}
		}
	})
}

func TestParseLogKeys(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string // error substring; "" = ok
	}{
		{"defaults", "", ""},
		{"all keys", "log_hmac_key_file: /k\nlog_anchor_every: 50\nlog_max_bytes: 1048576\nlog_anchors:\n  - webhook: https://anchors.example.com/a\n  - webhook: http://127.0.0.1:9/a\n  - store: true\n", ""},
		{"negative every", "log_anchor_every: -1\n", "log_anchor_every -1 is negative"},
		{"negative size", "log_max_bytes: -1\n", "log_max_bytes -1 is negative"},
		{"both in one anchor", "log_anchors:\n  - webhook: https://a.example.com/\n    store: true\n", "exactly one of webhook, store"},
		{"empty anchor", "log_anchors:\n  - {}\n", "exactly one of webhook, store"},
		{"plain http off the machine", "log_anchors:\n  - webhook: http://anchors.example.com/a\n", "only to a loopback address"},
		{"not a URL", "log_anchors:\n  - webhook: anchors\n", "not an absolute URL"},
		{"other scheme", "log_anchors:\n  - webhook: ftp://a.example.com/\n", `scheme "ftp"`},
		{"unknown anchor key", "log_anchors:\n  - team: x\n", "field team not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := parseCase(t, tt.yaml, tt.want)
			if !ok {
				return
			}
			if tt.name == "defaults" && (c.LogAnchorEvery != DefaultLogAnchorEvery || c.LogMaxBytes != DefaultLogMaxBytes || c.LogHMACKeyFile != "") {
				t.Fatalf("defaults %+v", c)
			}
			if tt.name == "all keys" && (c.LogAnchorEvery != 50 || c.LogMaxBytes != 1<<20 || len(c.LogAnchors) != 3 || !c.LogAnchors[2].Store) {
				t.Fatalf("parsed %+v", c)
			}
		})
	}
}

func TestNotifySection(t *testing.T) {
	good := "notify:\n  - url: https://hooks.example.com/x\n    events: [request.created, session.revoked]\n    format: slack\n    secret_file: /etc/sentinel/hook.key\n"
	c, err := Parse([]byte(good), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Notify) != 1 || c.Notify[0].Format != "slack" || len(c.Notify[0].Events) != 2 || c.Notify[0].SecretFile != "/etc/sentinel/hook.key" {
		t.Errorf("notify: %+v", c.Notify)
	}
	for _, tt := range []struct{ yaml, want string }{
		{"notify:\n  - url: http://hooks.example.com/x\n    events: [request.created]\n", "plain http"},
		{"notify:\n  - url: https://hooks.example.com/x\n    events: [nope]\n", `event "nope"`},
		{"notify:\n  - url: https://hooks.example.com/x\n    events: [request.created]\n    secret: abc\n", "name a secret by reference"},
		{"notify:\n  - url: https://hooks.example.com/x\n", "list at least one"},
		{"notify:\n  url: https://hooks.example.com/x\n", "cannot unmarshal"},
	} {
		_, err := Parse([]byte(tt.yaml), "c.yaml")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.want)
		}
	}
}

// parseCase parses yaml as config.yaml. With wantErr set it checks that
// parsing fails with an error containing wantErr and returns false; else
// it fails the test on any error and returns the config and true.
func parseCase(t *testing.T, yaml, wantErr string) (*Config, bool) {
	t.Helper()
	c, err := Parse([]byte(yaml), "config.yaml")
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error %v, want one containing %q", err, wantErr)
		}
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return c, true
}
