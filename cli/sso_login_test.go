package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/vault"
)

func TestShowSignInIsTerminalSafe(t *testing.T) {
	var out bytes.Buffer
	showSignIn(&out, vault.DeviceAuthorization{
		VerificationURIComplete: "https://device.sso.example/\x1b[2J?user_code=AB\u202eCD",
		UserCode:                "AB\x07CD-EFGH",
		ExpiresAt:               time.Now().Add(10 * time.Minute),
	}, false)
	s := out.String()
	if strings.ContainsAny(s, "\x1b\x07\u202e") {
		t.Fatalf("control characters reached the terminal: %q", s)
	}
	if !strings.Contains(s, "ABCD-EFGH") || !strings.Contains(s, "https://device.sso.example/[2J?user_code=ABCD") {
		t.Fatalf("output %q", s)
	}
}

func TestSSOLoginHint(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&vault.SSOLoginRequiredError{Profile: "dev", Session: "corp", Reason: "no token"}, "sign in: sentinel sso login dev"},
		{fmt.Errorf("wrapped: %w", &vault.SSOLoginRequiredError{Session: "corp"}), "sign in: sentinel sso login --sso-session corp"},
		{vault.ErrSSODenied, ""},
	}
	for _, tt := range tests {
		if got := hintFor(tt.err); got != tt.want {
			t.Errorf("hintFor(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func FuzzTerminalSafe(f *testing.F) {
	f.Add("https://x/\x1b]0;title\x07")
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range terminalSafe(s) {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("control character %U kept", r)
			}
		}
	})
}
