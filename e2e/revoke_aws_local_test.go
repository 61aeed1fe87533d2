package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/fakeiam"
)

// localInAWS is a world on DynamoDB Local whose people have revokers in
// their config and reach IAM at the stand-in.
func localInAWS(t *testing.T, endpoint, prefix string) (*world, *fakeiam.Server, func(name string) *person) {
	t.Helper()
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	w.storeYAML = fmt.Sprintf("store:\n  backend: dynamodb\n  region: us-east-1\n  tables:\n    requests: %[1]s-requests\n    breakglass: %[1]s-breakglass\n    sessions: %[1]s-sessions\n    revocations: %[1]s-revocations\n"+
		"revoke_in_aws:\n  revokers: {\"111122223333\": %[2]s}\n", prefix, revokerRole)
	im := fakeiam.New(w.sts)
	t.Cleanup(im.Close)
	for _, r := range []string{devRole, prodRole, revokerRole} {
		im.AddRole(r)
	}
	return w, im, func(name string) *person {
		p := w.newPerson(name)
		p.extra["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
		p.extra["AWS_ENDPOINT_URL_IAM"] = im.URL()
		p.extra["AWS_MAX_ATTEMPTS"] = "1"
		return p
	}
}

// `requests revoke --in-aws`, `breakglass-close --in-aws`, `sessions
// revoke --user --in-aws` and `sessions unblock --in-aws` with the
// person's keys: the credentials issued under the approval, or the event,
// are denied in AWS; a failed IAM write exits 1 saying what holds, and
// `sessions sync-aws` repairs it (a subtest of TestDynamoDB).
func localRevokeInAWS(t *testing.T, endpoint string) {
	const prefix = "e2e-localaws"
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
	initRevokeTables(t, prefix)
	_, im, newPerson := localInAWS(t, endpoint, prefix)
	alice, bob := newPerson("alice"), newPerson("bob")

	id := alice.newRequest("prod")
	bob.mustRun("approve", id, "--comment", "ok")
	key := fmt.Sprint(decodeObject(t, alice.mustRun("credentials", "prod").stdout)["AccessKeyId"])
	dev := fmt.Sprint(decodeObject(t, alice.mustRun("credentials", "dev").stdout)["AccessKeyId"])
	bob.mustRun("requests", "revoke", id, "--reason", "laptop stolen", "--in-aws")
	if d, err := im.DeniesIssued(key); err != nil || !d {
		t.Fatalf("the revoked approval's credentials are not denied (%v): %v", err, im.RolePolicies(prodRole))
	}
	if d, _ := im.DeniesIssued(dev); d {
		t.Fatal("credentials of another grant are denied")
	}

	// IAM refuses once: the close holds, the command exits 1 and says so.
	r := alice.mustRun("breakglass", "prod", "--reason-code", "incident", "--justification", justification)
	ev := firstLine(r.stdout)
	bgKey := fmt.Sprint(decodeObject(t, alice.mustRun("credentials", "prod").stdout)["AccessKeyId"])
	im.SetFault("PutRolePolicy", 500, "ServiceFailure", 1)
	res := alice.run("breakglass-close", ev, "--reason", "done", "--in-aws")
	if res.code != 1 || !strings.Contains(res.stderr, "is closed, but writing the AWS deny failed") || !strings.Contains(res.stderr, "sentinel sessions sync-aws") {
		t.Fatalf("close with IAM down: %s", res)
	}
	if d, _ := im.DeniesIssued(bgKey); d {
		t.Fatal("denied although the write failed")
	}
	out := bob.mustRun("sessions", "sync-aws").stdout
	if !strings.Contains(out, prodRole+": written") {
		t.Fatalf("sync-aws output: %s", out)
	}
	if d, err := im.DeniesIssued(bgKey); err != nil || !d {
		t.Fatalf("sync-aws did not deny the closed event's credentials (%v)", err)
	}

	// `sessions revoke --user --in-aws`: every credential of the person is
	// denied, bob's are not; `sessions unblock --in-aws` keeps what was
	// issued before the block denied and lets what comes after through.
	carol := newPerson("carol")
	before := fmt.Sprint(decodeObject(t, carol.mustRun("credentials", "dev").stdout)["AccessKeyId"])
	bobs := fmt.Sprint(decodeObject(t, bob.mustRun("credentials", "dev").stdout)["AccessKeyId"])
	bob.mustRun("sessions", "revoke", "--user", carol.arn, "--reason", "laptop stolen", "--in-aws")
	if d, err := im.DeniesIssued(before); err != nil || !d {
		t.Fatalf("the blocked person's credentials are not denied (%v): %v", err, im.RolePolicies(devRole))
	}
	if d, _ := im.DeniesIssued(bobs); d {
		t.Fatal("another person's credentials are denied by the block")
	}
	bob.mustRun("sessions", "unblock", carol.arn, "--in-aws")
	if d, err := im.DeniesIssued(before); err != nil || !d {
		t.Fatalf("an unblock brought back credentials issued before the block (%v): %v", err, im.RolePolicies(devRole))
	}
	// The deny of what came before the block holds to the whole second
	// after it (times round up: a credential of that second may be from
	// before); credentials issued from the next second on are clear.
	time.Sleep(1100 * time.Millisecond)
	carol.mustRun("clear")
	after := fmt.Sprint(decodeObject(t, carol.mustRun("credentials", "dev").stdout)["AccessKeyId"])
	if after == before {
		t.Fatal("credentials after the unblock are the ones from before the block")
	}
	if d, err := im.DeniesIssued(after); err != nil || d {
		t.Fatalf("credentials issued after the unblock are denied (%v): %v", err, im.RolePolicies(devRole))
	}
}

// --in-aws on the embedded store is refused before anything changes.
func TestInAWSRefusedOnTheEmbeddedStore(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, bob := w.newPerson("alice"), w.newPerson("bob")
	id := alice.newRequest("prod")
	bob.mustRun("approve", id, "--comment", "ok")
	bob.mustFail("DynamoDB", "requests", "revoke", id, "--reason", "laptop stolen", "--in-aws")
	alice.wantStatus(id, "approved")
}
