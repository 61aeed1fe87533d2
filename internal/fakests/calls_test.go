package fakests

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestCallsRecorded(t *testing.T) {
	h := newHarness(t)
	h.srv.SetNow(func() time.Time { return fixedNow })
	var hooked []Call
	var hookMu sync.Mutex
	h.srv.SetCallHook(func(c Call) {
		hookMu.Lock()
		defer hookMu.Unlock()
		hooked = append(hooked, c)
	})
	ctx := context.Background()
	out, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) {
		in.SourceIdentity = aws.String("alice")
		in.DurationSeconds = aws.Int32(1800)
	}))
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	roleClient := h.clientFor(out.Credentials)
	if _, err := roleClient.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if _, err := h.client("AKIAUNKNOWNEXAMPLE01", "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		t.Fatal("unknown key accepted")
	}

	roleSessionARN := aws.ToString(out.AssumedRoleUser.Arn)
	want := []Call{
		{Action: "AssumeRole", AccessKeyID: aliceKey, CallerARN: aliceARN, Status: 200},
		{Action: "GetCallerIdentity", AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), CallerARN: roleSessionARN, Status: 200},
		{Action: "GetCallerIdentity", AccessKeyID: "AKIAUNKNOWNEXAMPLE01", Status: 403, ErrorCode: "InvalidClientTokenId"},
	}
	calls := h.srv.Calls()
	if len(calls) != len(want) {
		t.Fatalf("recorded %d calls, want %d: %+v", len(calls), len(want), calls)
	}
	for i, c := range calls {
		w := want[i]
		if c.Action != w.Action || c.AccessKeyID != w.AccessKeyID || c.CallerARN != w.CallerARN || c.Status != w.Status || c.ErrorCode != w.ErrorCode {
			t.Errorf("call %d = %+v, want %+v", i, c, w)
		}
		if !c.Time.Equal(fixedNow) {
			t.Errorf("call %d Time = %v, want the injected clock's %v", i, c.Time, fixedNow)
		}
		if c.Params.Get("Action") != w.Action || c.Params.Get("Version") != apiVersion {
			t.Errorf("call %d Params = %v, want Action and Version", i, c.Params)
		}
		// No secret may be recorded: neither the caller's nor the issued one.
		for key, values := range c.Params {
			for _, v := range values {
				if strings.Contains(v, staticSecret) || strings.Contains(v, aws.ToString(out.Credentials.SecretAccessKey)) {
					t.Errorf("call %d records a secret in %s", i, key)
				}
			}
		}
	}
	if p := calls[0].Params; p.Get("SourceIdentity") != "alice" || p.Get("DurationSeconds") != "1800" || p.Get("RoleArn") != roleARN {
		t.Errorf("AssumeRole Params = %v", p)
	}

	hookMu.Lock()
	if len(hooked) != len(want) || hooked[2].ErrorCode != "InvalidClientTokenId" {
		t.Errorf("hook saw %+v, want the %d finished calls", hooked, len(want))
	}
	hookMu.Unlock()

	// Records are copies: changing them changes nothing in the Server.
	calls[0].Params.Set("RoleArn", "changed")
	calls[0].Action = "changed"
	if again := h.srv.Calls(); again[0].Params.Get("RoleArn") != roleARN || again[0].Action != "AssumeRole" {
		t.Error("changing a returned Call changed the record")
	}

	if n := len(h.srv.CallsOf("GetCallerIdentity")); n != 2 {
		t.Errorf("CallsOf(GetCallerIdentity) = %d calls, want 2", n)
	}
	if n := len(h.srv.CallsOf("GetSessionToken")); n != 0 {
		t.Errorf("CallsOf(GetSessionToken) = %d calls, want 0", n)
	}
	h.srv.Reset()
	if n := len(h.srv.Calls()); n != 0 {
		t.Errorf("after Reset, %d calls recorded", n)
	}
	// Reset forgets calls, not credentials.
	if _, err := roleClient.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("role credentials after Reset: %v", err)
	}
}

// TestConcurrentUse hammers the Server from several goroutines while it is
// being reconfigured; run with -race.
func TestConcurrentUse(t *testing.T) {
	h := newHarness(t)
	const workers, rounds = 6, 10
	// Clients are built up front: t.Setenv and config loading are not for
	// concurrent goroutines.
	clients := make([]*sts.Client, workers)
	for i := range clients {
		clients[i] = h.alice()
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*3)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := clients[w]
			for r := range rounds {
				if _, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
					errs <- fmt.Errorf("worker %d GetCallerIdentity: %w", w, err)
				}
				in := assumeInput(roleARN, func(in *sts.AssumeRoleInput) {
					in.RoleSessionName = aws.String(fmt.Sprintf("w%d-r%d", w, r))
				})
				if _, err := c.AssumeRole(ctx, in); err != nil {
					errs <- fmt.Errorf("worker %d AssumeRole: %w", w, err)
				}
				if _, err := c.GetSessionToken(ctx, &sts.GetSessionTokenInput{}); err != nil {
					errs <- fmt.Errorf("worker %d GetSessionToken: %w", w, err)
				}
			}
		}()
	}
	// Reconfigure and read concurrently, on an action nobody calls, so the
	// calls above stay deterministic.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range rounds * 3 {
			h.srv.SetFault("GetFederationToken", 400, "Throttling", "Rate exceeded")
			h.srv.ClearFault("GetFederationToken")
			h.srv.AllowRole(otherRoleARN, aliceARN)
			h.srv.AddUser(fmt.Sprintf("AKIAEXTRA%011d", i), bobARN, account)
			h.srv.SetDelay(0)
			h.srv.SetNow(time.Now)
			_ = h.srv.Calls()
			_ = h.srv.CallsOf("AssumeRole")
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(h.srv.Calls()); n != workers*rounds*3 {
		t.Errorf("recorded %d calls, want %d", n, workers*rounds*3)
	}
	for _, c := range h.srv.Calls() {
		if c.Status != 200 {
			t.Errorf("call %+v did not succeed", c)
		}
	}
}

func TestCallRecordedWhenRequestIDFails(t *testing.T) {
	srv := New()
	defer srv.Close()
	srv.AddUser(aliceKey, aliceARN, account)
	srv.randBytes = func([]byte) error { return fmt.Errorf("entropy source broken") }
	status, _, body := rawPost(t, srv, "POST", url.Values{"Action": {"GetCallerIdentity"}, "Version": {apiVersion}}, sigV4(aliceKey))
	if status != 500 || !strings.Contains(body, "<Code>InternalFailure</Code>") {
		t.Errorf("got %d %s, want 500 InternalFailure", status, body)
	}
	calls := srv.Calls()
	if len(calls) != 1 || calls[0].Status != 500 || calls[0].ErrorCode != "InternalFailure" {
		t.Errorf("recorded %+v, want the one failed call", calls)
	}
}
