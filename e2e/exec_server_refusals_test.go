package e2e

import (
	"regexp"
	"strings"
	"testing"
)

// TestExecServerRefusalsOncePerReason: an SDK that keeps fetching after a
// refusal does not fill the command's output: the reason is printed once,
// and the count of the others when the command exits.
func TestExecServerRefusalsOncePerReason(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)
	s := alice.startServerExec("dev", "--", "sh", "-c", `echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN"; read line; exit 0`)
	uri, token, _ := strings.Cut(s.line(), " ")
	w.setPolicy(strings.Replace(devPolicy, "profiles: [dev, plain]", "profiles: [plain]", 1))
	for i := 0; i < 20; i++ {
		if status, doc := fetch(t, uri, token); status != 403 {
			t.Fatalf("fetch %d: %d %v", i, status, doc)
		}
	}
	s.stdin.Close()
	if code := s.wait(); code != 0 {
		t.Fatalf("exit code %d (stderr: %s)", code, s.stderr)
	}
	stderr := s.stderr.String()
	if n := strings.Count(stderr, "credential server refused"); n != 2 {
		t.Errorf("%d refusal lines for 20 refusals, want the first and a count at exit:\n%s", n, stderr)
	}
	if !regexp.MustCompile(`(?m)^sentinel: credential server refused a request \(403\): access to profile dev denied`).MatchString(stderr) ||
		!regexp.MustCompile(`(?m)^sentinel: credential server refused 19 requests since [0-9:]+ \(403\): access to profile dev denied`).MatchString(stderr) {
		t.Errorf("refusal lines:\n%s", stderr)
	}
}
