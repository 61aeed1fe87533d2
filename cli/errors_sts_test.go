package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/vault"
)

// TestStampRefusedHint: STS refuses an AssumeRole that carries a
// SourceIdentity or session tags when the role's trust does not allow
// sts:SetSourceIdentity or sts:TagSession; sentinel always sends both, so
// a role set up for aws-vault fails on first use, and the hint says what
// to add. Other refusals get no such hint.
func TestStampRefusedHint(t *testing.T) {
	denied := func(msg string) error {
		return fmt.Errorf("assume role arn:aws:iam::123456789012:role/dev: %w",
			fmt.Errorf("STS AssumeRole: access denied: %s: %w", msg, vault.ErrAccessDenied))
	}
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{denied("User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:SetSourceIdentity on resource: arn:aws:iam::123456789012:role/dev"), true},
		{denied("User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:TagSession on resource: arn:aws:iam::123456789012:role/dev"), true},
		{denied("User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/dev"), false},
		// Not STS's refusal: a message that merely names the action.
		{fmt.Errorf("policy says no to sts:TagSession"), false},
	} {
		got := hintFor(tt.err)
		if has := strings.Contains(got, "sts:SetSourceIdentity and sts:TagSession"); has != tt.want {
			t.Errorf("hintFor(%v) = %q, want the trust-policy hint: %v", tt.err, got, tt.want)
		}
	}
}
