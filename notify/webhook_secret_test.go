package notify

import (
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/secretref"
)

// A webhook's secret: reference is resolved by the team service only: a
// notifier built with the reference unresolved (a laptop's config) is
// refused rather than sending unsigned bodies.
func TestWebhookSecretReference(t *testing.T) {
	ref := secretref.Ref{SSM: "/sentinel/webhook"}
	base := Webhook{URL: "https://hooks.example.com/x", Events: []string{Events[0]}, Secret: ref}
	tests := []struct {
		name    string
		w       Webhook
		wantErr string
	}{
		{"unresolved", base, "fetched only by the team service"},
		{"resolved, too short", func() Webhook { w := base; w.SecretValue = []byte("short"); return w }(), "at least 16"},
		{"resolved", func() Webhook { w := base; w.SecretValue = []byte("sixteen-bytes-or-more"); return w }(), ""},
		{"with secret_file too", func() Webhook { w := base; w.SecretFile = "/k"; return w }(), "exclude each other"},
		{"bad reference", Webhook{URL: base.URL, Events: base.Events, Secret: secretref.Ref{SSM: "a b"}}, "invalid secret reference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := New([]Webhook{tt.w}, Options{})
			if tt.wantErr == "" {
				if err != nil || n == nil || string(n.hooks[0].secret) != "sixteen-bytes-or-more" {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New: %v, want %q", err, tt.wantErr)
			}
		})
	}
}
