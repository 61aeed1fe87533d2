package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/fakeiam"
)

// rotateWorld is alice with an IAM stand-in that knows her key.
func rotateWorld(t *testing.T) (*world, *fakeiam.Server, *person) {
	t.Helper()
	w, alice := newWorldWithAlice(t, devPolicy)
	iam := fakeiam.New(w.sts)
	t.Cleanup(iam.Close)
	iam.AddUser(alice.arn, alice.keyID)
	alice.extra["AWS_ENDPOINT_URL_IAM"] = iam.URL()
	return w, iam, alice
}

// lastCallerKey is the access key of the newest GetCallerIdentity call.
func (w *world) lastCallerKey() string {
	calls := w.sts.CallsOf("GetCallerIdentity")
	if len(calls) == 0 {
		return ""
	}
	return calls[len(calls)-1].AccessKeyID
}

func TestRotateReplacesTheKeyThroughEventualConsistency(t *testing.T) {
	w, iam, alice := rotateWorld(t)
	alice.mustRun("exec", "dev", "--", "true") // caches a session of the old key
	iam.SetPropagationDelay(1500 * time.Millisecond)

	r := alice.mustRun("rotate", "dev")
	keys := iam.Keys(alice.arn)
	if len(keys) != 1 || keys[0] == alice.keyID {
		t.Fatalf("keys after rotation: %v (old %s)", keys, alice.keyID)
	}
	fresh := keys[0]
	if want := "Rotated the access key of profile default (" + alice.arn + "): " + fresh + " replaced " + alice.keyID + ", which is deleted.\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	var early int
	for _, c := range w.sts.CallsOf("GetCallerIdentity") {
		if c.AccessKeyID == fresh && c.Status != http.StatusOK {
			early++
		}
	}
	if early == 0 {
		t.Errorf("the new key was never tried before it worked: the wait was not exercised")
	}
	if del := iam.CallsOf("DeleteAccessKey"); len(del) != 1 || del[0].Params.Get("AccessKeyId") != alice.keyID {
		t.Errorf("DeleteAccessKey calls: %+v", del)
	}
	// The old key is gone from STS; sentinel now signs with the new one,
	// and nothing cached from the old key is served.
	if _, ok := w.sts.Lookup(alice.keyID, ""); ok {
		t.Error("the old key still works")
	}
	alice.mustRun("exec", "dev", "--", "true")
	if got := w.lastCallerKey(); got != fresh {
		t.Errorf("exec after rotation identified with %s, want the new key %s", got, fresh)
	}
}

func TestRotateRefusesWithTwoKeysAndChangesNothing(t *testing.T) {
	_, iam, alice := rotateWorld(t)
	other := iam.AddKey(alice.arn)
	alice.mustFail(`cannot rotate profile default: the IAM user already has two access keys \(`+alice.keyID+`, `+other+`\); nothing was changed\n.*hint: delete the key that is not `+alice.keyID, "rotate", "default")
	if n := len(iam.CallsOf("CreateAccessKey")); n != 0 {
		t.Errorf("%d CreateAccessKey calls", n)
	}
	if keys := iam.Keys(alice.arn); len(keys) != 2 {
		t.Errorf("keys: %v", keys)
	}
}

func TestRotateWithMFASignsIAMCallsWithAnMFASession(t *testing.T) {
	w, iam, alice := rotateWorld(t)
	iam.SetMFA(alice.arn, mfaSerial, "123456")
	alice.writeFile(".aws/config", strings.Replace(defaultAWSConfig, "[default]\n", "[default]\nmfa_serial = "+mfaSerial+"\n", 1))

	alice.mustFail(`cannot rotate profile default.*MFA code required for `+mfaSerial, "rotate", "default")
	if n := len(iam.Calls()); n != 0 {
		t.Errorf("%d IAM calls without an MFA code", n)
	}
	alice.mustRun("rotate", "--mfa-token", "123456", "default")
	for _, c := range iam.Calls() {
		if !strings.HasPrefix(c.AccessKeyID, "ASIA") {
			t.Errorf("IAM %s signed with %s, not an MFA session", c.Action, c.AccessKeyID)
		}
	}
	gst := w.sts.CallsOf("GetSessionToken")
	if len(gst) != 1 || gst[0].Params.Get("SerialNumber") != mfaSerial || gst[0].AccessKeyID != alice.keyID {
		t.Errorf("GetSessionToken calls: %+v", gst)
	}
	if keys := iam.Keys(alice.arn); len(keys) != 1 || keys[0] == alice.keyID {
		t.Errorf("keys after rotation: %v", keys)
	}
}

func TestRotateFailuresLeaveAWorkingKey(t *testing.T) {
	t.Run("create refused", func(t *testing.T) {
		_, iam, alice := rotateWorld(t)
		iam.SetFault("CreateAccessKey", http.StatusForbidden, "AccessDenied", 1)
		alice.mustFail(`cannot rotate profile default, nothing was changed \(the key `+alice.keyID+` is still stored and works\): IAM CreateAccessKey: AccessDenied`, "rotate", "default")
		alice.mustRun("exec", "dev", "--", "true")
	})
	t.Run("new key never works", func(t *testing.T) {
		w, iam, alice := rotateWorld(t)
		iam.SetPropagationDelay(time.Hour)
		r := alice.mustFail(`rotation of profile default failed: the new key never worked with STS .*; new key AKIA[A-Z0-9]+: it was deleted again; the old key `+alice.keyID+` is still stored and works\n.*hint: nothing to clean up`, "rotate", "--wait", "2s", "default")
		if keys := iam.Keys(alice.arn); len(keys) != 1 || keys[0] != alice.keyID {
			t.Errorf("keys after a failed rotation: %v: %s", keys, r)
		}
		alice.mustRun("exec", "dev", "--", "true")
		if got := w.lastCallerKey(); got != alice.keyID {
			t.Errorf("exec after a failed rotation used %s", got)
		}
	})
	t.Run("new key never works and cannot be deleted", func(t *testing.T) {
		_, iam, alice := rotateWorld(t)
		iam.SetPropagationDelay(time.Hour)
		iam.SetFault("DeleteAccessKey", http.StatusForbidden, "AccessDenied", -1)
		alice.mustFail(`new key (AKIA[A-Z0-9]+): it could not be deleted and is still in IAM, unused; the old key `+alice.keyID+` is still stored and works\n.*hint: delete it yourself: aws iam delete-access-key --access-key-id AKIA`, "rotate", "--wait", "1s", "default")
		if keys := iam.Keys(alice.arn); len(keys) != 2 {
			t.Errorf("keys: %v", keys)
		}
		alice.mustRun("exec", "dev", "--", "true")
	})
	t.Run("old key cannot be deleted", func(t *testing.T) {
		w, iam, alice := rotateWorld(t)
		iam.SetFault("DeleteAccessKey", http.StatusForbidden, "AccessDenied", 1)
		alice.mustFail(`rotated profile default to the new key (AKIA[A-Z0-9]+), which is stored and works, but the old key `+alice.keyID+` still exists in IAM.*\n.*hint: delete it yourself: aws iam delete-access-key --access-key-id `+alice.keyID, "rotate", "default")
		keys := iam.Keys(alice.arn)
		if len(keys) != 2 {
			t.Fatalf("keys: %v", keys)
		}
		alice.mustRun("exec", "dev", "--", "true")
		if got := w.lastCallerKey(); got == alice.keyID || got != keys[1] {
			t.Errorf("exec after rotation used %s, want the new key %s", got, keys[1])
		}
	})
}
