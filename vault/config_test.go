package vault

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const sampleConfig = `
# comment
[default]
region = eu-west-1
output = json

[profile base]
mfa_serial = arn:aws:iam::111122223333:mfa/alice
region = eu-central-1

[profile dev]
source_profile = base
role_arn = arn:aws:iam::222233334444:role/dev
external_id = ext-1
role_session_name = alice-dev
duration_seconds = 3600

[profile   prod]
source_profile = dev
Role_Arn = arn:aws:iam::555566667777:role/prod ; trailing note
region = us-east-2

[profile noregion]
role_arn = arn:aws:iam::222233334444:role/x
source_profile = keyonly

[profile selfbase]
source_profile = selfbase
role_arn = arn:aws:iam::222233334444:role/self

[profile loop-a]
source_profile = loop-b
[profile loop-b]
source_profile = loop-c
[profile loop-c]
source_profile = loop-a

[profile dangling]
source_profile = nowhere
role_arn = arn:aws:iam::222233334444:role/y

[profile a.b]
role_arn = arn:aws:iam::222233334444:role/dotted

[profile a]
region = ap-south-1
mfa_serial = arn:aws:iam::111122223333:mfa/parent

[profile baddur]
duration_seconds = soon

[profile proc]
credential_process = sentinel credentials --profile dev
s3 =
  max_concurrent_requests = 10

[sso-session corp]
sso_region = us-east-1

[services local]
sts =
  endpoint_url = http://127.0.0.1:1
`

func parseSample(t *testing.T) *ConfigFile {
	t.Helper()
	c, err := ParseConfig([]byte(sampleConfig), "/test/config")
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	return c
}

func TestParseConfigProfiles(t *testing.T) {
	c := parseSample(t)
	want := []string{"a", "a.b", "baddur", "base", "dangling", "default", "dev", "loop-a", "loop-b", "loop-c", "noregion", "proc", "prod", "selfbase"}
	if got := c.ProfileNames(); !reflect.DeepEqual(got, want) {
		t.Fatalf("ProfileNames = %v, want %v", got, want)
	}
	tests := []struct {
		name string
		want Profile
	}{
		{"default", Profile{Name: "default", Region: "eu-west-1"}},
		{"dev", Profile{Name: "dev", SourceProfile: "base", RoleARN: "arn:aws:iam::222233334444:role/dev", ExternalID: "ext-1", RoleSessionName: "alice-dev", DurationSeconds: 3600}},
		// Extra spaces in the section name, a capitalised key and an
		// inline comment after a space.
		{"prod", Profile{Name: "prod", SourceProfile: "dev", RoleARN: "arn:aws:iam::555566667777:role/prod", Region: "us-east-2"}},
		// ini's parent sections ([profile a] for [profile a.b]) must not
		// leak keys into a dotted profile name.
		{"a.b", Profile{Name: "a.b", RoleARN: "arn:aws:iam::222233334444:role/dotted"}},
		{"proc", Profile{Name: "proc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := c.Profile(tt.name)
			if !ok {
				t.Fatalf("profile %q missing", tt.name)
			}
			if got != tt.want {
				t.Errorf("Profile(%q) = %+v, want %+v", tt.name, got, tt.want)
			}
		})
	}
	for _, notProfile := range []string{"corp", "sso-session corp", "local", "services local"} {
		if _, ok := c.Profile(notProfile); ok {
			t.Errorf("section %q was taken for a profile", notProfile)
		}
	}
}

func TestParseConfigDefaultSectionKinds(t *testing.T) {
	c, err := ParseConfig([]byte("[default]\nregion = a\nmfa_serial = m\n[profile default]\nregion = b\n"), "x")
	if err != nil {
		t.Fatal(err)
	}
	p, ok := c.Profile("default")
	if !ok {
		t.Fatal("no default profile")
	}
	// Both spellings are the same profile; the later key wins.
	if p.Region != "b" || p.MFASerial != "m" {
		t.Errorf("default = %+v, want region b and mfa m", p)
	}
}

func TestLoadConfigFile(t *testing.T) {
	dir := isolate(t)

	// A missing file is an empty config.
	c, err := LoadConfigFile("")
	if err != nil {
		t.Fatalf("missing file: %v", err)
	}
	if len(c.ProfileNames()) != 0 || c.Path() != filepath.Join(dir, "aws-config") {
		t.Fatalf("missing file: names %v path %s", c.ProfileNames(), c.Path())
	}

	// "" follows $AWS_CONFIG_FILE.
	if err := os.WriteFile(filepath.Join(dir, "aws-config"), []byte("[profile env]\nregion = r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = LoadConfigFile("")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Profile("env"); !ok {
		t.Errorf("profile from $AWS_CONFIG_FILE missing: %v", c.ProfileNames())
	}

	// Without $AWS_CONFIG_FILE it is ~/.aws/config.
	t.Setenv("AWS_CONFIG_FILE", "")
	if err := os.MkdirAll(filepath.Join(dir, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".aws", "config"), []byte("[profile home]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = LoadConfigFile("")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Profile("home"); !ok {
		t.Errorf("profile from ~/.aws/config missing: %v", c.ProfileNames())
	}

	// An unreadable path (a directory) is an error naming it.
	if _, err := LoadConfigFile(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("directory as config: err = %v", err)
	}
}

func TestResolveChain(t *testing.T) {
	c := parseSample(t)
	keyring := map[string]bool{"base": true, "keyonly": true, "selfbase": true}
	hasKeys := func(p string) bool { return keyring[p] }

	tests := []struct {
		name      string
		base      string
		roles     []string
		mfa       string
		region    string
		duration  int
		errIs     error
		errSubstr string
	}{
		{name: "base", base: "base", mfa: "arn:aws:iam::111122223333:mfa/alice", region: "eu-central-1"},
		{name: "dev", base: "base", roles: []string{"dev"}, mfa: "arn:aws:iam::111122223333:mfa/alice", region: "eu-central-1", duration: 3600},
		{name: "prod", base: "base", roles: []string{"dev", "prod"}, mfa: "arn:aws:iam::111122223333:mfa/alice", region: "us-east-2"},
		// keyonly exists only in the keyring; the region falls back to
		// [default].
		{name: "noregion", base: "keyonly", roles: []string{"noregion"}, region: "eu-west-1"},
		{name: "keyonly", base: "keyonly", region: "eu-west-1"},
		// source_profile = self: the profile is its own base, and its role
		// is assumed with its own keys.
		{name: "selfbase", base: "selfbase", roles: []string{"selfbase"}, region: "eu-west-1"},
		{name: "a.b", base: "a.b", roles: []string{"a.b"}, region: "eu-west-1"},
		{name: "loop-a", errIs: ErrProfileLoop, errSubstr: "loop-a -> loop-b -> loop-c -> loop-a"},
		{name: "dangling", errIs: ErrUnknownProfile, errSubstr: `profile "nowhere" not found in /test/config or the keyring`},
		{name: "ghost", errIs: ErrUnknownProfile, errSubstr: `profile "ghost" not found in /test/config or the keyring`},
		{name: "", errIs: ErrUnknownProfile},
		{name: "baddur", errIs: ErrInvalidProfile, errSubstr: `duration_seconds "soon"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := ResolveChain(c, tt.name, hasKeys)
			if tt.errIs != nil {
				if !errors.Is(err, tt.errIs) {
					t.Fatalf("err = %v, want %v", err, tt.errIs)
				}
				if !strings.Contains(err.Error(), tt.errSubstr) {
					t.Fatalf("err = %q, want it to contain %q", err, tt.errSubstr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ResolveChain: %v", err)
			}
			var roles []string
			for _, r := range ch.Roles {
				roles = append(roles, r.Name)
			}
			if ch.Target.Name != tt.name || ch.Base.Name != tt.base || !reflect.DeepEqual(roles, tt.roles) ||
				ch.MFASerial != tt.mfa || ch.Region != tt.region || ch.DurationSeconds != tt.duration {
				t.Errorf("chain = target %s base %s roles %v mfa %q region %q duration %d; want base %s roles %v mfa %q region %q duration %d",
					ch.Target.Name, ch.Base.Name, roles, ch.MFASerial, ch.Region, ch.DurationSeconds,
					tt.base, tt.roles, tt.mfa, tt.region, tt.duration)
			}
		})
	}
}

func TestResolveChainNeverFallsBackToDefault(t *testing.T) {
	c := parseSample(t)
	// With no keyring at all, a profile missing from the config is an
	// error even though [default] exists.
	if _, err := ResolveChain(c, "typo", nil); !errors.Is(err, ErrUnknownProfile) {
		t.Fatalf("err = %v, want ErrUnknownProfile", err)
	}
}

func TestResolveChainMFAFromNearestProfile(t *testing.T) {
	c, err := ParseConfig([]byte(`
[profile root]
mfa_serial = arn:aws:iam::111122223333:mfa/root
[profile mid]
source_profile = root
role_arn = arn:aws:iam::222233334444:role/mid
mfa_serial = arn:aws:iam::111122223333:mfa/mid
region = mid-region
[profile top]
source_profile = mid
role_arn = arn:aws:iam::222233334444:role/top
`), "x")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := ResolveChain(c, "top", func(p string) bool { return p == "root" })
	if err != nil {
		t.Fatal(err)
	}
	if ch.MFASerial != "arn:aws:iam::111122223333:mfa/mid" || ch.Region != "mid-region" {
		t.Errorf("mfa %q region %q, want the nearest ones (mid)", ch.MFASerial, ch.Region)
	}
}

func TestDurationSecondsBounds(t *testing.T) {
	tests := []struct {
		value string
		ok    bool
	}{
		{"900", true}, {"43200", true}, {"899", false}, {"43201", false}, {"-1", false}, {"1h", false},
	}
	for _, tt := range tests {
		c, err := ParseConfig([]byte("[profile p]\nduration_seconds = "+tt.value+"\n"), "x")
		if err != nil {
			t.Fatal(err)
		}
		_, err = ResolveChain(c, "p", nil)
		if (err == nil) != tt.ok {
			t.Errorf("duration_seconds = %s: err = %v, want ok=%v", tt.value, err, tt.ok)
		}
	}
}
