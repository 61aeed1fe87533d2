package awsrevoke

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/fakeiam"
	"github.com/sentinel-cli/sentinel/internal/fakests"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/revocation"
	"github.com/sentinel-cli/sentinel/store/local"
	"github.com/sentinel-cli/sentinel/vault"
)

const (
	account    = "111122223333"
	other      = "444455556666"
	aliceKey   = "AKIAALICEEXAMPLE0001"
	aliceARN   = "arn:aws:iam::111122223333:user/alice"
	deployRole = "arn:aws:iam::111122223333:role/team/deploy"
	otherRole  = "arn:aws:iam::444455556666:role/elsewhere"
	revoker    = "arn:aws:iam::111122223333:role/sentinel-revoker"
)

func TestMain(m *testing.M) {
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	os.Exit(m.Run())
}

// rig is the stand-ins, a store and a writer assuming the revoker.
type rig struct {
	sts   *fakests.Server
	iam   *fakeiam.Server
	store revocation.Store
	w     *Writer
	now   time.Time
}

func newRig(t *testing.T) *rig {
	t.Helper()
	st := fakests.New()
	t.Cleanup(st.Close)
	im := fakeiam.New(st)
	t.Cleanup(im.Close)
	st.AddUser(aliceKey, aliceARN, account)
	im.AddUser(aliceARN, aliceKey)
	im.AddRole(deployRole)
	im.AddRole(otherRole)
	s, err := local.Open(filepath.Join(t.TempDir(), "state.db"), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	r := &rig{sts: st, iam: im, store: s.Revocations(), now: time.Now().UTC()}
	stsOpts := vault.STSOptions{Endpoint: st.URL(), MaxAttempts: 1}
	acc := &Accounts{
		Revokers: map[string]string{account: revoker},
		Own:      account,
		Base: func(context.Context) (vault.Credentials, error) {
			return vault.Credentials{AccessKeyID: aliceKey, SecretAccessKey: "not-a-real-secret"}, nil
		},
		STS: vault.NewSTSFactory(stsOpts),
		IAM: vault.IAMOptions{Endpoint: im.URL(), MaxAttempts: 1},
	}
	r.w = &Writer{Store: r.store, Client: acc.Client, Now: func() time.Time { return r.now }}
	return r
}

// issue hands out role credentials as the broker does in server mode.
func (r *rig) issue(t *testing.T, role, label, basis, sessionID string) string {
	t.Helper()
	f := vault.NewSTSFactory(vault.STSOptions{Endpoint: r.sts.URL(), MaxAttempts: 1})
	c, err := f(t.Context(), "", vault.Credentials{AccessKeyID: aliceKey, SecretAccessKey: "x"})
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	if sessionID != "" {
		tags[revocation.SessionTagKey] = sessionID
	}
	got, err := c.AssumeRoleDetails(t.Context(), vault.AssumeRoleInput{RoleARN: role, SessionName: "test-session",
		SourceIdentity: fmt.Sprintf("sentinel.%s.%s.%s", label, basis, "0123456789abcdef"), Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	return got.Credentials.AccessKeyID
}

func (r *rig) denied(t *testing.T, key string) bool {
	t.Helper()
	d, err := r.iam.DeniesIssued(key)
	if err != nil {
		t.Fatalf("DeniesIssued: %v", err)
	}
	return d
}

func newID(t *testing.T) string {
	id, err := record.NewID()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (r *rig) revokeSession(t *testing.T, id string, roles ...string) *revocation.Entry {
	t.Helper()
	e, err := revocation.NewSession(id, revocation.Params{Roles: roles, Now: r.now, ExpiresAt: r.now.Add(time.Hour), By: "carol"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.store.Create(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSyncDeniesTheRevokedSessionOnly(t *testing.T) {
	r := newRig(t)
	s1, s2 := newID(t), newID(t)
	k1 := r.issue(t, deployRole, "alice", "apr-"+newID(t), s1)
	k2 := r.issue(t, deployRole, "alice", "apr-"+newID(t), s2)
	r.revokeSession(t, s1, deployRole)
	res := r.w.Sync(t.Context(), []string{deployRole})
	if len(res) != 1 || res[0].Err != nil || res[0].SHA256 == "" || res[0].Deleted {
		t.Fatalf("Sync = %+v", res)
	}
	if !r.denied(t, k1) || r.denied(t, k2) {
		t.Fatalf("denied: revoked %v, other %v", r.denied(t, k1), r.denied(t, k2))
	}
	// The writes were made as the revoker, not as alice.
	for _, c := range r.iam.CallsOf("PutRolePolicy") {
		if c.AccessKeyID == aliceKey {
			t.Errorf("PutRolePolicy made with alice's key, want the revoker's session")
		}
	}
	// Pruned after expiry: the entry goes, and the policy with it.
	r.now = r.now.Add(2 * time.Hour)
	all, err := r.w.SyncAll(t.Context())
	if err != nil || len(all) != 1 || !all[0].Deleted || all[0].Err != nil {
		t.Fatalf("SyncAll = %+v, %v", all, err)
	}
	if p := r.iam.RolePolicies(deployRole); p[revocation.PolicyName] != "" {
		t.Fatalf("policy left after prune: %v", p)
	}
	left, _ := r.store.List(t.Context(), record.Query[revocation.Status]{Where: []record.Match{{Index: record.StatusIndex, Value: string(revocation.StatusActive)}}})
	if len(left) != 0 {
		t.Fatalf("entries still stored active after prune: %d", len(left))
	}
}

func TestSyncFailureHoldsAndRepairs(t *testing.T) {
	r := newRig(t)
	s1 := newID(t)
	k1 := r.issue(t, deployRole, "alice", "bg-"+newID(t), s1)
	e := r.revokeSession(t, s1, deployRole)
	r.iam.SetFault("PutRolePolicy", 500, "ServiceFailure", 1)
	res := r.w.Sync(t.Context(), []string{deployRole})
	var we *Error
	if len(Failed(res)) != 1 || !errors.As(res[0].Err, &we) || we.Op != "put policy" {
		t.Fatalf("Sync with IAM down = %+v", res)
	}
	if got, err := r.store.Get(t.Context(), e.ID); err != nil || got.Status != revocation.StatusActive {
		t.Fatalf("entry after failed write: %+v, %v", got, err)
	}
	if r.denied(t, k1) {
		t.Fatal("denied although the write failed")
	}
	all, err := r.w.SyncAll(t.Context())
	if err != nil || len(Failed(all)) != 0 || !r.denied(t, k1) {
		t.Fatalf("SyncAll repair = %+v, %v, denied %v", all, err, r.denied(t, k1))
	}
}

func TestSyncFallbackAtTheSizeLimit(t *testing.T) {
	r := newRig(t)
	// Another inline policy takes nearly all of the role's budget.
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` +
		strings.Repeat("b", revocation.RoleInlineLimit-400) + `"}]}`
	acc := r.w.Client
	c, err := acc(t.Context(), account)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PutRolePolicy(t.Context(), "deploy", "Big", big); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for range 8 {
		id := newID(t)
		keys = append(keys, r.issue(t, deployRole, "alice", "apr-"+newID(t), id))
		r.revokeSession(t, id, deployRole)
	}
	innocent := r.issue(t, deployRole, "bob", "apr-"+newID(t), newID(t))
	r.now = time.Now().UTC().Add(2 * time.Second)
	res := r.w.Sync(t.Context(), []string{deployRole})
	if len(res) != 1 || res[0].Err != nil || !res[0].Fallback {
		t.Fatalf("Sync = %+v", res)
	}
	for _, k := range append(keys, innocent) {
		if !r.denied(t, k) {
			t.Fatalf("the fallback does not deny %s", k)
		}
	}
	olders, err := r.store.List(t.Context(), record.Query[revocation.Status]{Where: []record.Match{{Index: revocation.IndexTarget, Value: revocation.TargetKey(revocation.TargetOlder, "")}}})
	if err != nil || len(olders) != 1 {
		t.Fatalf("older entries: %v, %v", olders, err)
	}
}

func TestTwoWritersBothEndUpInThePolicy(t *testing.T) {
	r := newRig(t)
	w2 := &Writer{Store: r.store, Client: r.w.Client, Now: r.w.Now}
	ids := []string{newID(t), newID(t)}
	keys := []string{r.issue(t, deployRole, "alice", "apr-"+newID(t), ids[0]), r.issue(t, deployRole, "bob", "apr-"+newID(t), ids[1])}
	var wg sync.WaitGroup
	for i, w := range []*Writer{r.w, w2} {
		wg.Go(func() {
			r.revokeSession(t, ids[i], deployRole)
			if res := w.Sync(context.Background(), []string{deployRole}); len(Failed(res)) != 0 {
				t.Errorf("writer %d: %+v", i, res)
			}
		})
	}
	wg.Wait()
	for _, k := range keys {
		if !r.denied(t, k) {
			t.Fatalf("%s not denied: %v", k, r.iam.RolePolicies(deployRole))
		}
	}
}

func TestNoRevokerForAnotherAccount(t *testing.T) {
	r := newRig(t)
	r.revokeSession(t, newID(t), otherRole)
	res := r.w.Sync(t.Context(), []string{otherRole})
	if len(res) != 1 || !errors.Is(res[0].Err, ErrNoRevoker) {
		t.Fatalf("Sync = %+v", res)
	}
}

// inFlight counts concurrent policy writes.
type inFlight struct {
	RolePolicies
	mu       sync.Mutex
	now, max int
}

func (f *inFlight) PutRolePolicy(ctx context.Context, role, name, doc string) error {
	f.mu.Lock()
	f.now++
	f.max = max(f.max, f.now)
	f.mu.Unlock()
	time.Sleep(2 * time.Millisecond)
	err := f.RolePolicies.PutRolePolicy(ctx, role, name, doc)
	f.mu.Lock()
	f.now--
	f.mu.Unlock()
	return err
}

// One writer (one process) syncing from many goroutines still writes a
// role's policy one at a time: each Sync holds the lease under its own ID.
func TestOneProcessWritesARoleOneAtATime(t *testing.T) {
	r := newRig(t)
	c, err := r.w.Client(t.Context(), account)
	if err != nil {
		t.Fatal(err)
	}
	f := &inFlight{RolePolicies: c}
	w := &Writer{Store: r.store, Client: func(context.Context, string) (RolePolicies, error) { return f, nil }, Holder: "proc", Now: r.w.Now}
	var ids []string
	var wg sync.WaitGroup
	for range 6 {
		id := newID(t)
		ids = append(ids, id)
		wg.Go(func() {
			r.revokeSession(t, id, deployRole)
			if res := w.Sync(context.Background(), []string{deployRole}); len(Failed(res)) != 0 {
				t.Errorf("%+v", res)
			}
		})
	}
	wg.Wait()
	if f.max != 1 {
		t.Fatalf("%d writes of one role at once", f.max)
	}
	p := r.iam.RolePolicies(deployRole)[revocation.PolicyName]
	for _, id := range ids {
		if !strings.Contains(p, id) {
			t.Fatalf("policy lacks %s: %s", id, p)
		}
	}
}

// TestSyncOfARoleIAMDoesNotHave: a role named by the config but not made
// in IAM holds no credential to deny; its sync is not a failure (a block
// names every role of the config), and the roles that exist are written.
func TestSyncOfARoleIAMDoesNotHave(t *testing.T) {
	r := newRig(t)
	ghost := "arn:aws:iam::" + account + ":role/never-made"
	s1 := newID(t)
	k1 := r.issue(t, deployRole, "alice", "apr-"+newID(t), s1)
	r.revokeSession(t, s1, deployRole, ghost)
	res := r.w.Sync(t.Context(), []string{deployRole, ghost})
	if len(Failed(res)) != 0 || len(res) != 2 {
		t.Fatalf("Sync = %+v", res)
	}
	for _, x := range res {
		if x.Role == ghost && (!x.NoRole || x.SHA256 != "") {
			t.Errorf("the missing role's result = %+v, want NoRole", x)
		}
		if x.Role == deployRole && (x.NoRole || x.SHA256 == "") {
			t.Errorf("the existing role's result = %+v, want a written policy", x)
		}
	}
	if !r.denied(t, k1) {
		t.Fatal("the existing role's credentials are not denied")
	}
}
