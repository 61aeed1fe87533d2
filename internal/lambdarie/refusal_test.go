package lambdarie

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSentinelRefusesRedirectedSTSOnLambda: under the Lambda runtime
// (the emulator sets AWS_LAMBDA_RUNTIME_API), a function whose
// environment points STS elsewhere, or names a config outside
// LAMBDA_TASK_ROOT, does not start: the init fails with one line naming
// the variable, and no call is served.
func TestSentinelRefusesRedirectedSTSOnLambda(t *testing.T) {
	ctx, rie, bin := sentinelBootstrap(t)
	dir := t.TempDir()
	policyPath := filepath.Join(dir, "policy.yaml")
	configPath := filepath.Join(dir, "serve.yaml")
	for path, content := range map[string]string{
		policyPath: "version: \"1\"\naccounts: [\"111122223333\"]\nprofiles:\n  dev: {role_arn: \"arn:aws:iam::111122223333:role/dev\"}\n" +
			"rules:\n  - name: dev\n    effect: allow\n    conditions: {profiles: [dev]}\n",
		configPath: "server_id: team-lambda\npolicy: " + policyPath + "\naccounts: [\"111122223333\"]\nstore: {backend: local, path: " +
			filepath.Join(dir, "state.db") + "}\nlog: {stdout: true}\n",
	} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name, variable string
		env            []string
	}{
		{"STS endpoint", "AWS_ENDPOINT_URL_STS", []string{"LAMBDA_TASK_ROOT=" + dir, "AWS_ENDPOINT_URL_STS=http://127.0.0.1:9"}},
		{"config outside the task root", "SENTINEL_SERVE_CONFIG", []string{"LAMBDA_TASK_ROOT=" + filepath.Join(dir, "task")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Start(ctx, Options{RIE: rie, Bootstrap: bin, Env: append([]string{
				"SENTINEL_SERVE_CONFIG=" + configPath, "TMPDIR=" + dir, "AWS_REGION=us-east-1",
			}, tt.env...)})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Stop()
			resp, err := e.Invoke(ctx, FunctionURLEvent("GET", "/healthz", nil, nil))
			if err == nil {
				if h, herr := resp.HTTP(); herr == nil && h.StatusCode == 200 {
					t.Fatalf("the function served despite %s:\n%s", tt.variable, e.Output())
				}
			}
			// The emulator relays the function's output as it comes, so the
			// refusal may land a moment after the invoke has answered.
			deadline := time.Now().Add(10 * time.Second)
			for !strings.Contains(refusal(e.Output()), "refusing to start: "+tt.variable) {
				if time.Now().After(deadline) {
					t.Fatalf("no refusal naming %s in the function's output:\n%s", tt.variable, e.Output())
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// refusal is the last line of out that sentinel wrote ("sentinel: ...").
func refusal(out string) string {
	var line string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "sentinel: ") {
			line = l
		}
	}
	return line
}
