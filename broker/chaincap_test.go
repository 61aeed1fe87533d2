package broker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/vault"
)

// A chain that starts from a role session is role chaining from its first
// hop, which STS caps at one hour: a longer request gets one hour (shown
// in the expiration), never STS's ValidationError. A chain that starts
// from an IAM user's keys keeps the full duration.
func TestChainFromRoleSessionIsCappedAtOneHour(t *testing.T) {
	const (
		serviceRole  = "arn:aws:iam::111122223333:role/sentinel-service"
		serviceARN   = "arn:aws:sts::111122223333:assumed-role/sentinel-service/sentinel-fn"
		serviceKey   = "ASIASERVICEROLE01"
		serviceToken = "service-role-session-token"
	)
	tests := []struct {
		name      string
		base      func(f *fixture) func(context.Context) (vault.Credentials, error)
		requested time.Duration
		want      int
	}{
		{"person's keys via GetSessionToken, 2h", nil, 2 * time.Hour, 7200},
		{"role session base, 2h", roleSessionBase, 2 * time.Hour, 3600},
		{"role session base, 30m", roleSessionBase, 30 * time.Minute, 1800},
		{"long-lived service keys, 2h", func(f *fixture) func(context.Context) (vault.Credentials, error) {
			return func(context.Context) (vault.Credentials, error) {
				return vault.Credentials{AccessKeyID: aliceKey, SecretAccessKey: "not-a-real-secret"}, nil
			}
		}, 2 * time.Hour, 7200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, basePolicy)
			f.sts.AddSession(serviceKey, serviceToken, serviceARN, serviceRole, "111122223333", f.now.Add(6*time.Hour))
			b := f.broker()
			if tt.base != nil {
				b.BaseCredentials = tt.base(f)
			}
			g, err := b.Issue(context.Background(), broker.Input{Profile: "dev", Mode: policy.ModeCLI, Duration: tt.requested})
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			if got := f.lastAssumeDuration(); got != tt.want {
				t.Errorf("DurationSeconds = %d, want %d", got, tt.want)
			}
			if want := f.now.Add(time.Duration(tt.want) * time.Second); !g.Credentials.Expires.Equal(want) {
				t.Errorf("expires %v, want %v", g.Credentials.Expires, want)
			}
		})
	}
}

// roleSessionBase is the service's own credentials on Lambda: a session
// of the function's role, which the STS stand-in knows as such.
func roleSessionBase(*fixture) func(context.Context) (vault.Credentials, error) {
	return func(context.Context) (vault.Credentials, error) {
		return vault.Credentials{AccessKeyID: "ASIASERVICEROLE01", SecretAccessKey: "x", SessionToken: "service-role-session-token"}, nil
	}
}

// IAM Identity Center role credentials are a role session: the first
// AssumeRole of a chain on them is capped at one hour too.
func TestSSOChainIsCappedAtOneHour(t *testing.T) {
	f := newSSOFixture(t, strings.Replace(ssoPolicy, "max_duration: 30m", "max_duration: 4h", 1))
	f.signIn()
	_, err := f.broker().Issue(context.Background(), broker.Input{Profile: "deploy", Mode: policy.ModeCLI, Duration: 3 * time.Hour})
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	if got := f.lastAssumeDuration(); got != 3600 {
		t.Errorf("DurationSeconds = %d, want 3600", got)
	}
}
