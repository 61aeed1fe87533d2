package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/dynamolocal"
)

// dynamo is the one DynamoDB Local of this test binary. It is started by
// the first test that needs it, so that a run of the other tests costs no
// java process, and stopped when that test ends (TestDynamoDB holds every
// test that needs it as a subtest, because only the package's TestMain
// could stop an instance shared by several top-level tests).
var dynamo dynamolocal.Shared

// dynamoEndpoint starts DynamoDB Local once and returns its loopback URL,
// or skips the test (fails it where DynamoDB Local is required).
func dynamoEndpoint(t *testing.T) string {
	t.Helper()
	return dynamo.Endpoint(t)
}

// useDynamoDB switches w's store to DynamoDB at endpoint, in tables of
// its own (DynamoDB Local is shared by the whole test binary), and returns
// how to make a person who reaches it.
func useDynamoDB(w *world, endpoint, tablePrefix string) func(name string) *person {
	w.storeYAML = fmt.Sprintf("store:\n  backend: dynamodb\n  region: us-east-1\n  tables:\n    requests: %[1]s-requests\n    breakglass: %[1]s-breakglass\n    sessions: %[1]s-sessions\n    revocations: %[1]s-revocations\n", tablePrefix)
	return func(name string) *person {
		p := w.newPerson(name)
		p.extra["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
		return p
	}
}

// initTables creates the tables with `sentinel init tables`, checking on
// the way that --dry-run changes nothing and that a second run is
// idempotent.
func initTables(t testing.TB, admin *person, prefix string) {
	t.Helper()
	tables := []string{prefix + "-requests", prefix + "-breakglass"}
	for range 2 {
		// Run twice: had the first dry run created anything, the second
		// would say "exists".
		out := admin.mustRun("init", "tables", "--dry-run").stdout
		for _, table := range tables {
			if !strings.Contains(out, "table "+table+": would create") {
				t.Fatalf("init tables --dry-run does not offer to create %s:\n%s", table, out)
			}
		}
		if strings.Contains(out, ": exists") || strings.Contains(out, ": created") {
			t.Fatalf("init tables --dry-run on an empty DynamoDB:\n%s", out)
		}
	}
	out := admin.mustRun("init", "tables").stdout
	for _, table := range tables {
		for _, want := range []string{"table " + table + ": created", "table " + table + ": time to live on attribute ttl enabled"} {
			if !strings.Contains(out, want) {
				t.Errorf("init tables output lacks %q:\n%s", want, out)
			}
		}
	}
	for _, args := range [][]string{{"init", "tables"}, {"init", "tables", "--dry-run"}} {
		out := admin.mustRun(args...).stdout
		for _, table := range tables {
			if !strings.Contains(out, "table "+table+": exists") {
				t.Errorf("%s after creation does not find %s:\n%s", strings.Join(args, " "), table, out)
			}
		}
		if strings.Contains(out, ": created") || strings.Contains(out, ": would") || strings.Contains(out, " enabled") {
			t.Errorf("%s is not idempotent:\n%s", strings.Join(args, " "), out)
		}
	}
}

// TestDynamoDB runs the approval and break-glass stories with the DynamoDB
// backend against DynamoDB Local.
func TestDynamoDB(t *testing.T) {
	endpoint := dynamoEndpoint(t)
	t.Cleanup(dynamo.Stop)

	t.Run("init tables", func(t *testing.T) {
		w := newWorld(t)
		w.setPolicy(approvalsPolicy)
		admin := useDynamoDB(w, endpoint, "e2e-init")("admin")
		initTables(t, admin, "e2e-init")
	})
	t.Run("approval round trip", func(t *testing.T) {
		w := newWorld(t)
		w.setPolicy(approvalsPolicy)
		newPerson := useDynamoDB(w, endpoint, "e2e-approvals")
		initTables(t, newPerson("admin"), "e2e-approvals")
		approvalRoundTrip(t, w, newPerson)
	})
	t.Run("break-glass", func(t *testing.T) {
		w := newWorld(t)
		w.setPolicy(approvalsPolicy)
		newPerson := useDynamoDB(w, endpoint, "e2e-breakglass")
		initTables(t, newPerson("admin"), "e2e-breakglass")
		breakglassLifecycle(t, w, newPerson, false)
	})
	t.Run("serve revoke in AWS two instances", func(t *testing.T) { serveTwoInstancesRevokeInAWS(t, endpoint) })
	t.Run("local revoke in AWS", func(t *testing.T) { localRevokeInAWS(t, endpoint) })
	t.Run("ID prefixes", func(t *testing.T) {
		w := newWorld(t)
		w.setPolicy(approvalsPolicy)
		newPerson := useDynamoDB(w, endpoint, "e2e-prefix")
		initTables(t, newPerson("admin"), "e2e-prefix")
		prefixResolvesAnyones(t, w, newPerson)
	})
	t.Run("overrides are re-checked at use", func(t *testing.T) { overridesOnDynamoDB(t, endpoint) })
	t.Run("sessions", func(t *testing.T) { sessionsOnDynamoDB(t, endpoint) })
	t.Run("doctor", func(t *testing.T) { doctorOnDynamoDB(t, endpoint) })
	t.Run("exec --server revoked", func(t *testing.T) { serverRevokeOnDynamoDB(t, endpoint) })
	t.Run("serve block race", func(t *testing.T) { serveBlockOnDynamoDB(t, endpoint) })
	t.Run("races", func(t *testing.T) {
		w := newWorld(t)
		w.setPolicy(approvalsPolicy)
		newPerson := useDynamoDB(w, endpoint, "e2e-races")
		initTables(t, newPerson("admin"), "e2e-races")
		dynamoRaces(t, newPerson)
	})
}

// dynamoRaces runs commands at the same moment from different processes,
// as colleagues on different machines would, where only DynamoDB's
// conditional writes keep the rules.
func dynamoRaces(t *testing.T, newPerson func(name string) *person) {
	alice, bob, carol := newPerson("alice"), newPerson("bob"), newPerson("carol")

	// Two approvers of a two-person rule approve at once: both count.
	for range 3 {
		id := alice.newRequest("audit")
		results, _ := together([]*person{bob, carol}, [][]string{{"approve", id}, {"approve", id}})
		for _, r := range results {
			if r.code != 0 {
				t.Errorf("concurrent approval refused: %s", r)
			}
		}
		if v := alice.wantStatus(id, "approved"); v["approvals"] != float64(2) {
			t.Errorf("after two concurrent approvals: %v", v)
		}
	}

	// One approver twice at once counts once.
	id := alice.newRequest("audit")
	results, _ := together([]*person{bob, bob}, [][]string{{"approve", id}, {"approve", id}})
	if results[0].code == 0 && results[1].code == 0 || results[0].code != 0 && results[1].code != 0 {
		t.Errorf("bob approving twice at once: want one success and one refusal:\n%s\n%s", results[0], results[1])
	}
	for _, r := range results {
		if r.code != 0 {
			checkOneLineError(t, r.stderr, `bob has already reviewed request `+id)
		}
	}
	if v := alice.wantStatus(id, "pending"); v["approvals"] != float64(1) {
		t.Errorf("after bob's double approval: %v", v)
	}

	// Break-glass opened twice at once: one event, one refusal.
	args := []string{"breakglass", "prod", "--reason-code", "incident", "--justification", justification}
	results, _ = together([]*person{alice, alice}, [][]string{args, args})
	if results[0].code == 0 && results[1].code == 0 || results[0].code != 0 && results[1].code != 0 {
		t.Errorf("two break-glass opens at once: want one success and one refusal:\n%s\n%s", results[0], results[1])
	}
	for _, r := range results {
		if r.code != 0 {
			checkOneLineError(t, r.stderr, `an active break-glass event already exists for this user and profile`)
		}
	}
	if list := decodeList(t, alice.mustRun("breakglass-list", "--status", "active", "--output", "json").stdout); len(list) != 1 {
		t.Errorf("active events after a race: %v", list)
	}
}

// together runs args[i] as people[i], all at the same moment, and returns
// the results and how long each took, in order.
func together(people []*person, args [][]string) ([]result, []time.Duration) {
	results := make([]result, len(people))
	took := make([]time.Duration, len(people))
	var wg sync.WaitGroup
	for i, p := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			results[i] = p.run(args[i]...)
			took[i] = time.Since(start)
		}()
	}
	wg.Wait()
	return results, took
}

// TestDynamoDBUnreachable needs no DynamoDB: nothing listens on port 1.
func TestDynamoDBUnreachable(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice := useDynamoDB(w, "http://127.0.0.1:1", "e2e-unreachable")("alice")

	commands := [][]string{
		{"exec", "prod", "--", "true"},
		{"request", "prod", "--justification", justification},
		{"requests", "list"},
	}
	// The SDK retries a refused connection a few times with backoff, so
	// each command takes seconds: run them side by side.
	results, took := together([]*person{alice, alice, alice}, commands)
	for i, args := range commands {
		t.Logf("%s: %s in %s", strings.Join(args, " "), strings.TrimSpace(results[i].stderr), took[i])
		if results[i].code == 0 {
			t.Fatalf("%s succeeded with no store: %s", strings.Join(args, " "), results[i])
		}
		checkOneLineError(t, results[i].stderr, `^sentinel: .*cannot reach DynamoDB: .*connection refused`)
		if took[i] > 20*time.Second {
			t.Errorf("%s took %s to give up on an unreachable store", strings.Join(args, " "), took[i])
		}
	}
	checkOneLineError(t, results[0].stderr, `^sentinel: the approval store could not be reached: `)
	d := alice.lastDecision()
	if d["effect"] != "deny" || d["profile"] != "prod" || !strings.Contains(d["reason"].(string), "could not be reached") {
		t.Errorf("decision: %v", d)
	}
	// The allowed path reads the person's block after STS answered (issue
	// 14), so it too refuses when the store cannot be read: fail closed.
	res := alice.run("exec", "dev", "--", "true")
	if res.code == 0 {
		t.Fatalf("exec dev succeeded with no store to read the block from: %s", res)
	}
	checkOneLineError(t, res.stderr, `^sentinel: the session store could not be reached: .*cannot reach DynamoDB`)
}
