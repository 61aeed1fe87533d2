package secretref_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/secretref"
)

const secretARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:sentinel/webhook-AbCdEf"

func TestRefCheck(t *testing.T) {
	for _, tt := range []struct {
		ref secretref.Ref
		ok  bool
	}{
		{secretref.Ref{SecretARN: secretARN}, true},
		{secretref.Ref{SSM: "/sentinel/log-key"}, true},
		{secretref.Ref{SSM: "arn:aws:ssm:eu-west-1:111122223333:parameter/sentinel/key"}, true},
		{secretref.Ref{}, false},
		{secretref.Ref{SecretARN: "arn:aws:ssm:us-east-1:111122223333:parameter/x"}, false},
		{secretref.Ref{SecretARN: "arn:aws:secretsmanager:us-east-1:1111:secret:x"}, false},
		{secretref.Ref{SecretARN: "arn:aws:secretsmanager:us-east-1:111122223333:secret:"}, false},
		{secretref.Ref{SSM: "/sentinel/log key"}, false},
		{secretref.Ref{SSM: "/sentinel/\x1b[2Jkey"}, false},
	} {
		if err := tt.ref.Check(); (err == nil) != tt.ok {
			t.Errorf("Check(%+v) = %v, want ok=%t", tt.ref, err, tt.ok)
		} else if err != nil && !errors.Is(err, secretref.ErrRef) {
			t.Errorf("Check(%+v) = %v, not ErrRef", tt.ref, err)
		}
	}
}

func FuzzRefCheck(f *testing.F) {
	f.Add(secretARN, "")
	f.Add("", "/sentinel/log-key")
	f.Add("", "arn:aws:ssm:eu-west-1:111122223333:parameter/x")
	f.Fuzz(func(t *testing.T, arn, ssm string) {
		r := secretref.Ref{SecretARN: arn, SSM: ssm}
		if err := r.Check(); err == nil {
			s := r.String()
			if strings.ContainsAny(s, "\n\r\x1b") {
				t.Fatalf("an accepted reference prints a control character: %q", s)
			}
		}
	})
}
