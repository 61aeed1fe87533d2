package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// credentialsDoc runs `sentinel credentials PROFILE` and decodes it.
func (p *person) credentialsDoc(args ...string) map[string]string {
	p.t.Helper()
	r := p.mustRun(append([]string{"credentials"}, args...)...)
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		p.t.Fatalf("credentials output %q: %v", r.stdout, err)
	}
	out := map[string]string{}
	for k, v := range doc {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// keyringDir is the person's file keyring.
func (p *person) keyringDir() string {
	return filepath.Join(p.home, ".local", "share", "sentinel", "keyring")
}

// keyringFiles maps every item file of the person's keyring to its bytes.
func (p *person) keyringFiles() map[string]string {
	p.t.Helper()
	entries, err := os.ReadDir(p.keyringDir())
	if err != nil {
		p.t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(p.keyringDir(), e.Name()))
		if err != nil {
			p.t.Fatal(err)
		}
		m[e.Name()] = string(b)
	}
	return m
}

// Changing role_arn in ~/.aws/config never serves the old role's
// credentials from the cache.
func TestCacheRoleARNChangeIsNotServedOld(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)
	first := alice.credentialsDoc("dev")
	if again := alice.credentialsDoc("dev"); again["AccessKeyId"] != first["AccessKeyId"] {
		t.Fatal("the second run was not served from the cache")
	}
	alice.writeFile(".aws/config", strings.Replace(defaultAWSConfig, "role/dev\n", "role/dev-admin\n", 1))
	w.sts.Reset()
	changed := alice.credentialsDoc("dev")
	if changed["AccessKeyId"] == first["AccessKeyId"] {
		t.Fatal("the old role's credentials were served after role_arn changed")
	}
	calls := w.assumeCalls()
	if len(calls) != 1 || calls[0].Params.Get("RoleArn") != "arn:aws:iam::111122223333:role/dev-admin" {
		t.Fatalf("AssumeRole calls = %+v, want one for role/dev-admin", calls)
	}
	// And back: the entry of the first role is still its own.
	alice.writeFile(".aws/config", defaultAWSConfig)
	if back := alice.credentialsDoc("dev"); back["AccessKeyId"] != first["AccessKeyId"] {
		t.Error("the first role's own cache entry was not served for the first role")
	}
	// --debug says why.
	alice.writeFile(".aws/config", strings.Replace(defaultAWSConfig, "role/dev\n", "role/dev-other\n", 1))
	r := alice.mustRun("--debug", "credentials", "dev")
	if !strings.Contains(r.stderr, "key changed") {
		t.Errorf("--debug does not say the key changed:\n%s", r.stderr)
	}
	r = alice.mustRun("--debug", "credentials", "dev")
	if !strings.Contains(r.stderr, "cache: hit") {
		t.Errorf("--debug does not say the cache answered:\n%s", r.stderr)
	}
}

// A wrong keyring passphrase is an error that changes nothing.
func TestCacheWrongPassphraseChangesNothing(t *testing.T) {
	_, alice := newWorldWithAlice(t, devPolicy)
	alice.credentialsDoc("dev")
	alice.credentialsDoc("plain")
	before := alice.keyringFiles()
	if len(before) < 4 {
		t.Fatalf("keyring holds %d items, want keys, identity, session and roles", len(before))
	}
	alice.extra["SENTINEL_FILE_PASSPHRASE"] = "not-the-passphrase"
	for _, args := range [][]string{{"credentials", "dev"}, {"credentials", "prod"}, {"list"}, {"clear"}, {"clear", "default"}, {"exec", "dev", "--", "true"}} {
		r := alice.run(args...)
		if r.code != 1 {
			t.Errorf("sentinel %v with a wrong passphrase: %s", args, r)
			continue
		}
		checkOneLineError(t, r.stderr, "could not be decrypted: wrong passphrase")
		if r.stdout != "" {
			t.Errorf("sentinel %v printed %q", args, r.stdout)
		}
	}
	if after := alice.keyringFiles(); !reflect.DeepEqual(before, after) {
		t.Error("the keyring changed under a wrong passphrase")
	}
	delete(alice.extra, "SENTINEL_FILE_PASSPHRASE")
	alice.credentialsDoc("dev")
}

// `sentinel clear` removes cached credentials and never the keys.
func TestCacheClear(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)
	first := alice.credentialsDoc("dev")
	r := alice.mustRun("clear", "dev")
	if !strings.Contains(r.stdout, "Removed 1 cached item") {
		t.Errorf("clear dev: %s", r)
	}
	if again := alice.credentialsDoc("dev"); again["AccessKeyId"] == first["AccessKeyId"] {
		t.Error("clear dev left the cached credentials")
	}
	alice.credentialsDoc("plain")
	// Clearing the base profile clears everything issued from its keys.
	alice.mustRun("clear", "default")
	r = alice.mustRun("list", "--output", "json")
	if strings.Contains(r.stdout, `"kind": "role"`) || strings.Contains(r.stdout, `"kind":"role"`) || strings.Contains(r.stdout, "session\"") {
		t.Errorf("cached entries left after clear default: %s", r.stdout)
	}
	alice.credentialsDoc("dev")
	alice.mustRun("clear")
	r = alice.mustRun("list")
	if !strings.Contains(r.stdout, "stored") {
		t.Errorf("clear removed the long-lived keys:\n%s", r.stdout)
	}
	w.sts.Reset()
	alice.credentialsDoc("dev")
	if n := len(w.sts.CallsOf("GetCallerIdentity")); n != 1 {
		t.Errorf("after clear: %d GetCallerIdentity calls, want the identity asked again", n)
	}
}

// exec keeps every keyring setting and secret out of the child.
func TestExecChildHasNoKeyringSecrets(t *testing.T) {
	_, alice := newWorldWithAlice(t, devPolicy)
	secrets := map[string]string{
		"SENTINEL_FILE_PASSPHRASE":  passphrase,
		"AWS_VAULT_FILE_PASSPHRASE": "fake-aws-vault-passphrase",
		"AWS_VAULT_PASS_PASSWORD":   "fake-aws-vault-pass-password",
		"SENTINEL_PASS_SECRET":      "fake-sentinel-pass-secret",
		"MY_COPY_OF_THE_PASSPHRASE": passphrase,
		"PASSPHRASE_IN_A_URL":       "file://user:" + passphrase + "@host",
		"AWS_SECRET_ACCESS_KEY":     fakeSecret,
		"AWS_ACCESS_KEY_ID":         alice.keyID,
	}
	r := alice.runEnv(secrets, "exec", "dev", "--", "env")
	if r.code != 0 {
		t.Fatalf("exec: %s", r)
	}
	env := envOf(r.stdout)
	for name := range secrets {
		if name == "AWS_SECRET_ACCESS_KEY" || name == "AWS_ACCESS_KEY_ID" {
			continue
		}
		if _, ok := env[name]; ok {
			t.Errorf("the child has %s", name)
		}
	}
	for _, banned := range []string{"SENTINEL_BACKEND", "SENTINEL_FILE_PASSPHRASE"} {
		if _, ok := env[banned]; ok {
			t.Errorf("the child has %s", banned)
		}
	}
	for name, value := range env {
		for _, secret := range []string{passphrase, fakeSecret, alice.keyID, "fake-aws-vault-passphrase", "fake-aws-vault-pass-password", "fake-sentinel-pass-secret"} {
			if strings.Contains(value, secret) {
				t.Errorf("the child's %s holds a secret the test set", name)
			}
		}
	}
	if env["AWS_SESSION_TOKEN"] == "" || !strings.HasPrefix(env["AWS_ACCESS_KEY_ID"], "ASIA") {
		t.Errorf("the child did not get the issued credentials: %v", env["AWS_ACCESS_KEY_ID"])
	}
}

// AWS_REGION and AWS_DEFAULT_REGION override the profile's region, and
// --region overrides both.
func TestRegionFromEnvironment(t *testing.T) {
	_, alice := newWorldWithAlice(t, devPolicy)
	tests := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, nil, "eu-west-1"},
		{map[string]string{"AWS_DEFAULT_REGION": "us-west-2"}, nil, "us-west-2"},
		{map[string]string{"AWS_DEFAULT_REGION": "us-west-2", "AWS_REGION": "ap-south-1"}, nil, "ap-south-1"},
		{map[string]string{"AWS_REGION": "ap-south-1"}, []string{"--region", "ca-central-1"}, "ca-central-1"},
	}
	for _, tt := range tests {
		args := append(append([]string{"exec"}, tt.args...), "dev", "--", "env")
		r := alice.runEnv(tt.env, args...)
		if r.code != 0 {
			t.Fatalf("exec %v: %s", tt.env, r)
		}
		if got := envOf(r.stdout)["AWS_REGION"]; got != tt.want {
			t.Errorf("env %v args %v: AWS_REGION = %q, want %q", tt.env, tt.args, got, tt.want)
		}
	}
}
