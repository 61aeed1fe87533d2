package e2e

import (
	"context"
	"errors"
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
var dynamo struct {
	once sync.Once
	inst *dynamolocal.Instance
	err  error
}

// dynamoEndpoint starts DynamoDB Local once and returns its loopback URL.
// Where it cannot run it skips the test, unless the environment requires
// it (CI, or SENTINEL_REQUIRE_DYNAMODB=1 as `make test` sets), in which
// case the test fails: a missing `npm ci` must not pass silently.
func dynamoEndpoint(t *testing.T) string {
	t.Helper()
	dynamo.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		dynamo.inst, dynamo.err = dynamolocal.Start(ctx)
	})
	switch {
	case errors.Is(dynamo.err, dynamolocal.ErrUnavailable) && !dynamolocal.Required():
		t.Skipf("skipping the DynamoDB tests: %v", dynamo.err)
	case dynamo.err != nil:
		t.Fatalf("start DynamoDB Local: %v", dynamo.err)
	}
	return dynamo.inst.Endpoint()
}

// useDynamoDB switches w's store to DynamoDB at endpoint, in tables of
// its own (DynamoDB Local is shared by the whole test binary), and returns
// how to make a person who reaches it.
func useDynamoDB(w *world, endpoint, tablePrefix string) func(name string) *person {
	w.storeYAML = fmt.Sprintf("store:\n  backend: dynamodb\n  region: us-east-1\n  tables:\n    requests: %s-requests\n    breakglass: %s-breakglass\n", tablePrefix, tablePrefix)
	return func(name string) *person {
		p := w.newPerson(name)
		p.extra["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
		return p
	}
}

// initTables creates the tables with `sentinel init tables`, checking on
// the way that --dry-run changes nothing and that a second run is
// idempotent.
func initTables(t *testing.T, admin *person, prefix string) {
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
	t.Cleanup(dynamo.inst.Stop)

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
}

func TestInitTablesRefusedOnTheLocalBackend(t *testing.T) {
	w := newWorld(t)
	w.newPerson("admin").mustFail(`the store backend is local, which needs no tables.*\n.*hint: set store.backend: dynamodb`, "init", "tables")
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
	results := make([]result, len(commands))
	took := make([]time.Duration, len(commands))
	var wg sync.WaitGroup
	for i, args := range commands {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			results[i] = alice.run(args...)
			took[i] = time.Since(start)
		}()
	}
	wg.Wait()
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
	// The allowed path never touches the store.
	alice.mustRun("exec", "dev", "--", "true")
}
