package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The service admits callers of its config's accounts: only, so a block on
// an ARN of another account would match nobody it serves: it is refused
// with 400 even when the policy itself lists no accounts:, never answered
// 200 with nothing revoked.
func TestServeRefusesABlockOutsideItsAccounts(t *testing.T) {
	w := newServeWorld(t)
	// Approvers by ARN: a bare name needs the policy's accounts:.
	noAccounts := strings.NewReplacer("accounts: [\"111122223333\"]\n", "",
		"approvers: [bob]", `approvers: ["arn:aws:iam::111122223333:user/bob"]`).Replace(servePolicy)
	if strings.Contains(noAccounts, "accounts:") || !strings.Contains(noAccounts, "user/bob") {
		t.Fatalf("the serve policy changed:\n%s", noAccounts)
	}
	if err := os.WriteFile(filepath.Join(w.dir, "policy.yaml"), []byte(noAccounts), 0o600); err != nil {
		t.Fatal(err)
	}
	w.start()
	for _, arn := range []string{"arn:aws:iam::999999999999:user/alice", "arn:aws:iam::111122223333:role/alice", "alice"} {
		code, doc := w.call("bob", http.MethodPost, "/v1/users/block", `{"user_arn":"`+arn+`","reason":"stolen"}`)
		if code != http.StatusBadRequest {
			t.Errorf("block of %s: %d %v, want 400", arn, code, doc)
		}
	}
	if code, doc := w.call("bob", http.MethodPost, "/v1/users/block", `{"user_arn":"arn:aws:iam::111122223333:user/alice","reason":"stolen"}`); code != http.StatusOK {
		t.Errorf("block of alice: %d %v", code, doc)
	}
}
