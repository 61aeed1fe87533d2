package e2e

import "testing"

// Decisions and lifecycle entries made against an STS endpoint that is not
// AWS's own (here the stand-in, through AWS_ENDPOINT_URL_STS) say so.
func TestLogRecordsANonAWSSTSEndpoint(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice := w.newPerson("alice")
	alice.mustRun("credentials", "dev")
	alice.mustRun("request", "prod", "--justification", "rotate the TLS certificate on the load balancer")
	seen := map[string]bool{}
	for _, e := range alice.logEntries() {
		ev, _ := e["event"].(string)
		seen[ev] = true
		if e["sts_endpoint"] != w.sts.URL() {
			t.Errorf("%s entry: sts_endpoint %v, want %s", ev, e["sts_endpoint"], w.sts.URL())
		}
	}
	if !seen["decision"] || !seen["request.created"] {
		t.Errorf("events %v, want a decision and request.created", seen)
	}
}
