package fakests

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestGetFederationToken(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	out, err := h.alice().GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("alice"), DurationSeconds: aws.Int32(3600)})
	if err != nil {
		t.Fatalf("GetFederationToken: %v", err)
	}
	if got := aws.ToString(out.FederatedUser.Arn); got != "arn:aws:sts::111122223333:federated-user/alice" {
		t.Errorf("federated user ARN %q", got)
	}
	c := out.Credentials
	s, ok := h.srv.Lookup(aws.ToString(c.AccessKeyId), aws.ToString(c.SessionToken))
	if !ok || s.Kind != "federated-user" || s.Account != account {
		t.Errorf("Lookup of the federation token: %+v %v", s, ok)
	}
	if _, ok := h.srv.Lookup(aws.ToString(c.AccessKeyId), "wrong"); ok {
		t.Error("Lookup accepted a wrong session token")
	}

	tests := []struct {
		name   string
		client *sts.Client
		in     *sts.GetFederationTokenInput
		code   string
	}{
		{"session credentials", h.sessionOf(aliceKey, "", ""), &sts.GetFederationTokenInput{Name: aws.String("alice")}, "AccessDenied"},
		{"name too short", h.alice(), &sts.GetFederationTokenInput{Name: aws.String("a")}, "ValidationError"},
		{"name with a colon", h.alice(), &sts.GetFederationTokenInput{Name: aws.String("a:b")}, "ValidationError"},
		{"too long", h.alice(), &sts.GetFederationTokenInput{Name: aws.String("alice"), DurationSeconds: aws.Int32(129601)}, "ValidationError"},
		{"policy too large", h.alice(), &sts.GetFederationTokenInput{Name: aws.String("alice"), Policy: aws.String(strings.Repeat(" ", 2049))}, "PackedPolicyTooLarge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.client.GetFederationToken(ctx, tt.in)
			if err == nil {
				t.Fatal("accepted")
			}
			if code, _, _ := apiErrorOf(t, err); code != tt.code {
				t.Errorf("code %s, want %s", code, tt.code)
			}
		})
	}

	h.srv.RemoveUser(aliceKey)
	if _, ok := h.srv.Lookup(aliceKey, ""); ok {
		t.Error("a removed key is still known")
	}
	if _, ok := h.srv.Lookup(aws.ToString(c.AccessKeyId), aws.ToString(c.SessionToken)); !ok {
		t.Error("credentials issued before the key was removed stopped working")
	}
}
