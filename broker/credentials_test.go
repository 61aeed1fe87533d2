package broker_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/vault"
)

const aliceMFA = "arn:aws:iam::111122223333:mfa/alice"

// mfaConfig has two roles on alice's keys: dev without MFA, dev2 with it.
const mfaConfig = `[default]
region = eu-west-1
[profile dev]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/dev
[profile dev2]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/dev2
mfa_serial = ` + aliceMFA + `
`

// brokerWith is f.broker() over another AWS config, with debug lines
// collected into lines.
func (f *fixture) brokerWith(config string, lines *[]string) *broker.Broker {
	f.t.Helper()
	b := f.broker()
	profiles, err := vault.ParseConfig([]byte(config), "config")
	if err != nil {
		f.t.Fatal(err)
	}
	b.Profiles = profiles
	if lines != nil {
		b.Debugf = func(format string, args ...any) {
			*lines = append(*lines, strings.TrimSpace(sprintf(format, args...)))
		}
	}
	return b
}

// A session obtained without MFA is never used for a profile that has
// mfa_serial: the role would be assumed without the MFA its trust policy
// asks for, or refused.
func TestSessionWithoutMFANotUsedForMFAProfile(t *testing.T) {
	f := newFixture(t, basePolicy)
	f.sts.AddMFA(aliceKey, aliceMFA, "123456")
	ctx := context.Background()
	// A valid session obtained without MFA, as a run of a profile without
	// mfa_serial leaves it in the cache.
	cache := vault.NewCache(f.keyring(), func() time.Time { return f.now })
	fakeSession := vault.Credentials{AccessKeyID: "ASIANOMFA", SecretAccessKey: "no-mfa-secret", SessionToken: "no-mfa-token", Expires: f.now.Add(8 * time.Hour)}
	if err := cache.PutSession("default", vault.SessionEntry{Credentials: fakeSession, Identity: vault.Identity{ARN: aliceARN, Account: "111122223333", UserID: "AIDA", Name: "alice"}}); err != nil {
		t.Fatal(err)
	}

	f.sts.Reset()
	g, err := f.brokerWith(mfaConfig, nil).Issue(ctx, broker.Input{Profile: "dev2", Mode: policy.ModeCLI, MFAToken: "123456"})
	if err != nil {
		t.Fatalf("dev2: %v", err)
	}
	if g.Cached {
		t.Fatal("dev2 served from the cache")
	}
	for _, c := range f.sts.CallsOf("AssumeRole") {
		if c.AccessKeyID == "ASIANOMFA" {
			t.Fatal("the role of an mfa_serial profile was assumed with a session obtained without MFA")
		}
	}
	gst := f.sts.CallsOf("GetSessionToken")
	if len(gst) != 1 || gst[0].Params.Get("SerialNumber") != aliceMFA {
		t.Fatalf("GetSessionToken calls = %+v, want one with the MFA device", gst)
	}
	// The new session records its MFA, and serves dev2 again without a
	// code.
	f.sts.Reset()
	_, err = f.brokerWith(mfaConfig, nil).Issue(ctx, broker.Input{Profile: "dev2", Mode: policy.ModeCLI, Duration: 0})
	if err != nil {
		t.Fatalf("dev2 again: %v", err)
	}
	if n := len(f.sts.CallsOf("GetSessionToken")); n != 0 {
		t.Errorf("%d GetSessionToken calls for a second dev2, want the MFA session reused", n)
	}
}

// An explicit --duration is served from the cache only when what is left
// covers it; without --duration the cached credentials are reused.
func TestExplicitDurationAndTheCache(t *testing.T) {
	tests := []struct {
		name      string
		first     time.Duration
		elapsed   time.Duration
		second    time.Duration
		wantCache bool
		wantDebug string
	}{
		{"no duration: reused", 0, 10 * time.Minute, 0, true, "cache: hit"},
		{"same duration at once: reused", time.Hour, 0, time.Hour, true, "cache: hit"},
		{"duration not covered any more", time.Hour, 10 * time.Minute, time.Hour, false, "too short"},
		{"shorter duration than cached: new", time.Hour, 0, 30 * time.Minute, false, "too long"},
		{"longer duration than cached", time.Hour, 0, 2 * time.Hour, false, "too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, basePolicy)
			if _, err := f.issue("dev", tt.first); err != nil {
				t.Fatal(err)
			}
			f.now = f.now.Add(tt.elapsed)
			now := f.now
			f.sts.SetNow(func() time.Time { return now })
			var lines []string
			g, err := f.brokerWith(awsConfig, &lines).Issue(context.Background(), broker.Input{Profile: "dev", Mode: policy.ModeCLI, Duration: tt.second})
			if err != nil {
				t.Fatal(err)
			}
			if g.Cached != tt.wantCache {
				t.Errorf("Cached = %v, want %v", g.Cached, tt.wantCache)
			}
			if !tt.wantCache && tt.second > 0 {
				if left := g.Credentials.Expires.Sub(f.now); left < tt.second-time.Minute {
					t.Errorf("credentials last %s, want %s", left, tt.second)
				}
			}
			if !containsLine(lines, tt.wantDebug) {
				t.Errorf("debug lines %q do not say %q", lines, tt.wantDebug)
			}
		})
	}
}

// The debug output says when the key changed.
func TestCacheKeyChangedIsSaid(t *testing.T) {
	f := newFixture(t, basePolicy)
	if _, err := f.issue("dev", 0); err != nil {
		t.Fatal(err)
	}
	var lines []string
	edited := strings.Replace(awsConfig, "role/dev\n", "role/dev-admin\n", 1)
	g, err := f.brokerWith(edited, &lines).Issue(context.Background(), broker.Input{Profile: "dev", Mode: policy.ModeCLI})
	if err != nil {
		t.Fatal(err)
	}
	if g.Cached || g.RoleARN != "arn:aws:iam::111122223333:role/dev-admin" {
		t.Errorf("after editing role_arn: cached %v, role %s", g.Cached, g.RoleARN)
	}
	if !containsLine(lines, "key changed") {
		t.Errorf("debug lines %q do not say the key changed", lines)
	}
}

// The broker gets its STS clients from its factory.
func TestSTSFactoryIsUsed(t *testing.T) {
	f := newFixture(t, basePolicy)
	b := f.broker()
	var calls atomic.Int32
	var regions []string
	inner := b.STS
	b.STS = func(ctx context.Context, region string, creds vault.Credentials) (vault.STSClient, error) {
		calls.Add(1)
		regions = append(regions, region)
		return inner(ctx, region, creds)
	}
	if _, err := b.Issue(context.Background(), broker.Input{Profile: "dev", Mode: policy.ModeCLI, Region: "ap-south-1"}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() == 0 {
		t.Fatal("the factory was not used")
	}
	// The identity may be asked anywhere; the credentials come from the
	// region asked for.
	if last := regions[len(regions)-1]; last != "ap-south-1" {
		t.Errorf("regions = %v, want the last in ap-south-1", regions)
	}
	// A cold run with a failing factory fails with its error: nothing
	// reaches STS any other way.
	failing := errors.New("no STS today")
	b2 := f.broker()
	b2.STS = func(context.Context, string, vault.Credentials) (vault.STSClient, error) { return nil, failing }
	if _, err := b2.Issue(context.Background(), broker.Input{Profile: "dev2", Mode: policy.ModeCLI}); !errors.Is(err, failing) {
		t.Errorf("err = %v, want the factory's error", err)
	}
}

// A missing MFA code is a typed error without CLI words.
func TestMFARequiredIsTyped(t *testing.T) {
	f := newFixture(t, basePolicy)
	_, err := f.brokerWith(mfaConfig, nil).Issue(context.Background(), broker.Input{Profile: "dev2", Mode: policy.ModeCLI})
	var mfa *vault.MFARequiredError
	if !errors.As(err, &mfa) || mfa.Serial != aliceMFA || !errors.Is(err, vault.ErrMFARequired) {
		t.Fatalf("err = %v, want *vault.MFARequiredError", err)
	}
	if strings.Contains(err.Error(), "--") {
		t.Errorf("the broker's error names a flag: %q", err)
	}
}

func containsLine(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
