package config

import (
	"strings"
	"testing"
)

func TestParseRevokeInAWS(t *testing.T) {
	const a, b = "111111111111", "222222222222"
	tests := []struct {
		name    string
		yaml    string
		want    map[string]string
		wantErr string
	}{
		{name: "absent", yaml: "policy: /p\n", want: nil},
		{name: "two accounts", yaml: "revoke_in_aws:\n  revokers:\n    \"111111111111\": arn:aws:iam::111111111111:role/sentinel-revoker\n    222222222222: arn:aws:iam::222222222222:role/ops/sentinel-revoker\n",
			want: map[string]string{a: "arn:aws:iam::111111111111:role/sentinel-revoker", b: "arn:aws:iam::222222222222:role/ops/sentinel-revoker"}},
		{name: "other partition", yaml: "revoke_in_aws: {revokers: {'111111111111': 'arn:aws-us-gov:iam::111111111111:role/r'}}\n",
			want: map[string]string{a: "arn:aws-us-gov:iam::111111111111:role/r"}},
		{name: "enabled is the service's key", yaml: "revoke_in_aws: {enabled: true}\n", wantErr: "line 1: field enabled not found"},
		{name: "unknown key", yaml: "revoke_in_aws:\n  revoker: {}\n", wantErr: "line 2: field revoker not found"},
		{name: "short account", yaml: "revoke_in_aws: {revokers: {'1111': 'arn:aws:iam::111111111111:role/r'}}\n", wantErr: `revoke_in_aws.revokers: "1111" is not a 12-digit account ID`},
		{name: "letters in account", yaml: "revoke_in_aws: {revokers: {'11111111111x': 'arn:aws:iam::111111111111:role/r'}}\n", wantErr: "12-digit"},
		{name: "role in another account", yaml: "revoke_in_aws: {revokers: {'111111111111': 'arn:aws:iam::222222222222:role/r'}}\n", wantErr: "is in account 222222222222, not 111111111111"},
		{name: "user, not role", yaml: "revoke_in_aws: {revokers: {'111111111111': 'arn:aws:iam::111111111111:user/r'}}\n", wantErr: "not a role ARN"},
		{name: "assumed-role ARN", yaml: "revoke_in_aws: {revokers: {'111111111111': 'arn:aws:sts::111111111111:assumed-role/r/s'}}\n", wantErr: "not an IAM role ARN"},
		{name: "not an ARN", yaml: "revoke_in_aws: {revokers: {'111111111111': 'sentinel-revoker'}}\n", wantErr: "not an IAM role ARN"},
		{name: "wildcard", yaml: "revoke_in_aws: {revokers: {'111111111111': 'arn:aws:iam::111111111111:role/*'}}\n", wantErr: "only letters"},
		{name: "empty name", yaml: "revoke_in_aws: {revokers: {'111111111111': 'arn:aws:iam::111111111111:role/'}}\n", wantErr: "1 to 64"},
		{name: "empty path segment", yaml: "revoke_in_aws: {revokers: {'111111111111': 'arn:aws:iam::111111111111:role//r'}}\n", wantErr: "only letters"},
		{name: "long name", yaml: "revoke_in_aws: {revokers: {'111111111111': 'arn:aws:iam::111111111111:role/" + strings.Repeat("r", 65) + "'}}\n", wantErr: "1 to 64"},
		{name: "region in ARN", yaml: "revoke_in_aws: {revokers: {'111111111111': 'arn:aws:iam:eu-west-1:111111111111:role/r'}}\n", wantErr: "not an IAM role ARN"},
		{name: "bad partition", yaml: "revoke_in_aws: {revokers: {'111111111111': 'arn:azure:iam::111111111111:role/r'}}\n", wantErr: "partition"},
		{name: "list, not map", yaml: "revoke_in_aws: {revokers: [a]}\n", wantErr: "line 1"},
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
			if len(c.RevokeInAWS.Revokers) != len(tt.want) || c.RevokeInAWS.Configured() != (len(tt.want) > 0) {
				t.Fatalf("revokers %v, want %v", c.RevokeInAWS.Revokers, tt.want)
			}
			for acct, arn := range tt.want {
				if got, ok := c.RevokeInAWS.RevokerFor(acct); !ok || got != arn {
					t.Errorf("RevokerFor(%s) = %q, %v; want %q", acct, got, ok, arn)
				}
			}
			if got, ok := c.RevokeInAWS.RevokerFor("333333333333"); ok || got != "" {
				t.Errorf("RevokerFor(unlisted) = %q, %v", got, ok)
			}
		})
	}
}

func TestRoleARNAccount(t *testing.T) {
	for _, c := range []struct{ arn, account string }{
		{"arn:aws:iam::123456789012:role/r", "123456789012"},
		{"arn:aws-cn:iam::123456789012:role/a/b/R+=,.@_-", "123456789012"},
		{"arn:aws:iam::123456789012:role/" + strings.Repeat("p", 511) + "/n", "123456789012"},
		{"arn:aws:iam::123456789012:role/" + strings.Repeat("p", 512) + "/n", ""},
		{"arn:aws-:iam::123456789012:role/r", ""},
		{"arn:aws:iam::123456789012:role/r r", ""},
		{"arn:aws:iam::12345678901:role/r", ""},
		{"", ""},
	} {
		got, err := RoleARNAccount(c.arn)
		if (err == nil) != (c.account != "") || got != c.account {
			t.Errorf("RoleARNAccount(%q) = %q, %v; want %q", c.arn, got, err, c.account)
		}
	}
}

// FuzzRevokersCheck: Check never panics, and what it accepts has only
// 12-digit accounts whose revoker is a role in that account.
func FuzzRevokersCheck(f *testing.F) {
	f.Add("111111111111", "arn:aws:iam::111111111111:role/r")
	f.Add("111111111111", "arn:aws:iam::222222222222:role/r")
	f.Add("1", "arn:aws:iam::1:role/")
	f.Fuzz(func(t *testing.T, account, arn string) {
		if err := (Revokers{account: arn}).Check("revokers"); err != nil {
			return
		}
		got, err := RoleARNAccount(arn)
		if err != nil || got != account || !strings.Contains(arn, ":role/") || strings.ContainsAny(arn, "* ") {
			t.Fatalf("accepted %q -> %q (%q, %v)", account, arn, got, err)
		}
	})
}
