package fakests

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

func TestIssuedRecordsTheRequestContext(t *testing.T) {
	h := newHarness(t)
	// A clock with a fraction of a second: aws:TokenIssueTime is whole seconds.
	now := fixedNow.Add(700 * time.Millisecond)
	h.srv.SetNow(func() time.Time { return now })
	ctx := context.Background()

	out, err := h.alice().AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String(roleARN),
		RoleSessionName: aws.String("alice"),
		SourceIdentity:  aws.String("sentinel.alice.apr-1.r1"),
		Tags: []types.Tag{
			{Key: aws.String("sentinel-session-id"), Value: aws.String("s-1")},
			{Key: aws.String("Team"), Value: aws.String("")},
		},
	})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	id := aws.ToString(out.Credentials.AccessKeyId)
	got, ok := h.srv.Issued(id)
	if !ok {
		t.Fatalf("Issued(%s) not found", id)
	}
	want := IssuedCredentials{
		ARN:            "arn:aws:sts::444455556666:assumed-role/deploy/alice",
		RoleARN:        roleARN,
		Tags:           map[string]string{"sentinel-session-id": "s-1", "Team": ""},
		SourceIdentity: "sentinel.alice.apr-1.r1",
		IssuedAt:       fixedNow,
		Expiration:     fixedNow.Add(time.Hour),
	}
	if got.ARN != want.ARN || got.RoleARN != want.RoleARN || !maps.Equal(got.Tags, want.Tags) ||
		got.SourceIdentity != want.SourceIdentity || !got.IssuedAt.Equal(want.IssuedAt) || !got.Expiration.Equal(want.Expiration) {
		t.Errorf("Issued = %+v\nwant     %+v", got, want)
	}
	// The caller's copy is its own.
	got.Tags["sentinel-session-id"] = "changed"
	if again, _ := h.srv.Issued(id); again.Tags["sentinel-session-id"] != "s-1" {
		t.Error("changing the returned tags changed the record")
	}

	// Role chaining keeps the SourceIdentity but not the tags.
	chained, err := h.clientFor(out.Credentials).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(otherRoleARN), RoleSessionName: aws.String("hop2"),
	})
	if err != nil {
		t.Fatalf("chained AssumeRole: %v", err)
	}
	hop, ok := h.srv.Issued(aws.ToString(chained.Credentials.AccessKeyId))
	if !ok || hop.RoleARN != otherRoleARN || hop.SourceIdentity != "sentinel.alice.apr-1.r1" || hop.Tags != nil {
		t.Errorf("chained hop = %+v, %v", hop, ok)
	}

	tok, err := h.alice().GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	st, ok := h.srv.Issued(aws.ToString(tok.Credentials.AccessKeyId))
	if !ok || st.RoleARN != "" || st.ARN != aliceARN || !st.IssuedAt.Equal(fixedNow) {
		t.Errorf("session token = %+v, %v", st, ok)
	}
}

func TestIssuedKnowsOnlyIssuedCredentials(t *testing.T) {
	h := newHarness(t)
	h.srv.AddSession("ASIAEXTERNAL00000001", "token", "arn:aws:sts::444455556666:assumed-role/deploy/x", roleARN, "444455556666", fixedNow.Add(time.Hour))
	for _, id := range []string{aliceKey, "ASIAEXTERNAL00000001", "ASIAUNKNOWN000000001", ""} {
		if got, ok := h.srv.Issued(id); ok {
			t.Errorf("Issued(%q) = %+v, want not found", id, got)
		}
	}
}
