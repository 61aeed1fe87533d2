package secretref_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/secretref"
	"go.yaml.in/yaml/v3"
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

func TestRefYAML(t *testing.T) {
	tests := []struct {
		doc  string
		want secretref.Ref
		err  string
	}{
		{"ref: {secret_arn: arn:aws:secretsmanager:eu-west-1:111111111111:secret:x-AbCdEf}", secretref.Ref{SecretARN: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:x-AbCdEf"}, ""},
		{"ref: {ssm: /sentinel/key}", secretref.Ref{SSM: "/sentinel/key"}, ""},
		{"ref: inline-secret", secretref.Ref{}, "never write it in the file"},
		{"ref: {ssm: /x, other: 1}", secretref.Ref{}, "field other not found"},
		{"ref: {ssm: [a]}", secretref.Ref{}, "must be a string"},
	}
	for _, tt := range tests {
		var doc struct {
			Ref secretref.Ref `yaml:"ref"`
		}
		err := yaml.Unmarshal([]byte(tt.doc), &doc)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "inline-secret") {
				t.Errorf("%s: got %v, want an error with %q that does not echo the value", tt.doc, err, tt.err)
			}
			continue
		}
		if err != nil || doc.Ref != tt.want {
			t.Errorf("%s: got %+v, %v", tt.doc, doc.Ref, err)
		}
	}
}
