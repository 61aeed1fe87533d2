package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// awsCLI is Debian's AWS CLI (2.9), which `make test` installs. Another aws
// on PATH (a pip one, say) is not what the issue asks to test against.
const awsCLI = "/usr/bin/aws"

func requireAWSCLI(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(awsCLI); err != nil {
		if os.Getenv("SENTINEL_REQUIRE_AWSCLI") != "" || os.Getenv("CI") != "" {
			t.Fatalf("%s missing: run `make deps` (apt-get install awscli)", awsCLI)
		}
		t.Skipf("%s missing: run `make deps` to test the AWS CLI as a credential_process client", awsCLI)
	}
}

// runAWS runs the AWS CLI as the person, with nothing but the config file
// to find credentials in.
func (p *person) runAWS(args ...string) result {
	p.t.Helper()
	cmd := exec.Command(awsCLI, args...)
	cmd.Env = append(p.env(), "AWS_PAGER=", "AWS_DEFAULT_OUTPUT=json")
	return p.runCommand(cmd, "aws")
}

func TestAWSCLIUsesCredentialProcess(t *testing.T) {
	requireAWSCLI(t)
	w, alice := newWorldWithAlice(t, devPolicy)
	alice.writeFile(".aws/config", defaultAWSConfig+`
[profile cli-dev]
region = eu-west-1
credential_process = `+sentinelBin+` credentials dev

[profile cli-prod]
region = eu-west-1
credential_process = `+sentinelBin+` credentials --profile prod
`)

	r := alice.runAWS("sts", "get-caller-identity", "--profile", "cli-dev", "--endpoint-url", w.sts.URL())
	if r.code != 0 {
		t.Fatalf("aws sts get-caller-identity: %s", r)
	}
	var id struct{ Arn, Account, UserId string }
	if err := json.Unmarshal([]byte(r.stdout), &id); err != nil {
		t.Fatalf("aws output %q: %v", r.stdout, err)
	}
	if id.Arn != "arn:aws:sts::111122223333:assumed-role/dev/sentinel-alice" || id.Account != account {
		t.Errorf("the AWS CLI saw identity %+v, want the role session sentinel issued", id)
	}
	d := alice.lastDecision()
	if d["effect"] != "allow" || d["mode"] != "credential_process" {
		t.Errorf("decision: %v", d)
	}

	// A denial reaches the person through the AWS CLI's own error.
	r = alice.runAWS("sts", "get-caller-identity", "--profile", "cli-prod", "--endpoint-url", w.sts.URL())
	if r.code == 0 || !strings.Contains(r.stderr, "denied") {
		t.Errorf("denied credential_process: %s", r)
	}
}
