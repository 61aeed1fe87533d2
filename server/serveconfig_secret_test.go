package server

import (
	"strings"
	"testing"
)

func TestServeConfigHMACKeyReference(t *testing.T) {
	base := "server_id: s\npolicy: p.yaml\naccounts: [\"111122223333\"]\nstore: {backend: local, path: s.db}\n"
	for _, tt := range []struct{ log, want string }{
		{"log: {stdout: true, hmac_key: {ssm: /sentinel/log-key}}", ""},
		{"log: {stdout: true, hmac_key: {secret_arn: \"arn:aws:secretsmanager:eu-west-1:111122223333:secret:log-key-AbCdEf\"}}", ""},
		{"log: {stdout: true, hmac_key: {ssm: /k}, hmac_key_file: /k}", "exclude each other"},
		{"log: {stdout: true, hmac_key: {secret_arn: \"arn:aws:ssm:eu-west-1:111122223333:parameter/k\"}}", "secret_arn"},
		{"log: {stdout: true, hmac_key: {vault: x}}", "vault"},
	} {
		c, err := ParseServeConfig([]byte(base + tt.log + "\n"))
		if tt.want == "" {
			if err != nil || c.Log.HMACKey.IsZero() {
				t.Errorf("%s: %v", tt.log, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.log, err, tt.want)
		}
	}
}
