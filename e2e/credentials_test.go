package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCredentialProcessDocumentAndCache(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)

	r := alice.mustRun("credentials", "dev")
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %q", r.stdout)
	}
	if strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 || r.stderr != "" {
		t.Errorf("credentials printed more than the document: stdout %q stderr %q", r.stdout, r.stderr)
	}
	if doc["Version"] != float64(1) || !strings.HasPrefix(doc["AccessKeyId"].(string), "ASIA") || doc["SecretAccessKey"] == "" || doc["SessionToken"] == "" {
		t.Errorf("document: %v", doc)
	}
	if len(doc) != 5 {
		t.Errorf("document has %d keys, want 5: %v", len(doc), doc)
	}
	mustParseTime(t, doc["Expiration"].(string))
	if alice.lastDecision()["mode"] != "credential_process" {
		t.Errorf("mode not logged as credential_process")
	}

	// A second call is served from the cache: no STS call at all, but the
	// policy is evaluated and the decision logged again.
	before := len(w.sts.Calls())
	r2 := alice.mustRun("credentials", "--profile", "dev")
	if after := len(w.sts.Calls()); after != before {
		t.Errorf("warm call made %d STS calls", after-before)
	}
	var doc2 map[string]any
	_ = json.Unmarshal([]byte(r2.stdout), &doc2)
	if doc2["AccessKeyId"] != doc["AccessKeyId"] {
		t.Errorf("warm call returned other credentials")
	}
	d := alice.lastDecision()
	if d["effect"] != "allow" || d["cached"] != true {
		t.Errorf("warm decision entry: %v", d)
	}

	// A policy change takes effect at once, even with credentials cached.
	w.setPolicy(strings.Replace(devPolicy, "profiles: [dev, plain]", "profiles: [plain]", 1))
	alice.mustFail(`denied`, "credentials", "dev")
	if alice.lastDecision()["effect"] != "deny" {
		t.Errorf("deny after policy change not logged")
	}
	alice.mustFail(`two different profiles`, "credentials", "dev", "--profile", "plain")
}

func TestMFAIsAskedOncePerSession(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)
	w.sts.AddMFA(alice.keyID, "arn:aws:iam::111122223333:mfa/alice", "123456")
	alice.writeFile(".aws/config", defaultAWSConfig+"\n[profile devmfa]\nsource_profile = default\nrole_arn = arn:aws:iam::111122223333:role/dev\nmfa_serial = arn:aws:iam::111122223333:mfa/alice\n")
	w.setPolicy(strings.Replace(devPolicy, "profiles: [dev, plain]", "profiles: [dev, plain, devmfa]", 1))

	// No terminal and no code: a clear error, nothing cached.
	alice.mustFail(`(?s)MFA code required for arn:aws:iam::111122223333:mfa/alice\nsentinel: hint: .*--mfa-token`, "credentials", "devmfa")
	// A wrong code is refused by STS.
	alice.mustFail(`MFA`, "credentials", "devmfa", "--mfa-token", "654321")
	alice.mustFail(`MFA code required`, "credentials", "devmfa")

	alice.mustRun("credentials", "devmfa", "--mfa-token", "123456")
	sessions := w.sts.CallsOf("GetSessionToken")
	last := sessions[len(sessions)-1].Params
	if last.Get("SerialNumber") != "arn:aws:iam::111122223333:mfa/alice" || last.Get("TokenCode") != "123456" {
		t.Errorf("GetSessionToken params: %v", last)
	}
	// The session is cached: another role on the same base needs no code.
	alice.mustRun("exec", "dev", "--", "true")
	alice.mustRun("credentials", "devmfa")
	if n := len(w.sts.CallsOf("GetSessionToken")); n != len(sessions) {
		t.Errorf("GetSessionToken called again (%d > %d): MFA asked twice", n, len(sessions))
	}
}

func TestBadInputGetsOneClearLine(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)

	t.Run("unknown profile", func(t *testing.T) {
		alice.mustFail(`profile "nosuch" not found`, "credentials", "nosuch")
	})
	t.Run("source_profile loop", func(t *testing.T) {
		alice.writeFile(".aws/config", defaultAWSConfig+"\n[profile loop-a]\nsource_profile = loop-b\nrole_arn = arn:aws:iam::111122223333:role/a\n[profile loop-b]\nsource_profile = loop-a\n")
		defer alice.writeFile(".aws/config", defaultAWSConfig)
		alice.mustFail(`loop-a -> loop-b -> loop-a`, "credentials", "loop-a")
	})
	t.Run("missing keys", func(t *testing.T) {
		alice.writeFile(".aws/config", defaultAWSConfig+"\n[profile other]\nrole_arn = arn:aws:iam::111122223333:role/dev\n")
		defer alice.writeFile(".aws/config", defaultAWSConfig)
		w.setPolicy(strings.Replace(devPolicy, "profiles: [dev, plain]", "profiles: [dev, plain, other]", 1))
		defer w.setPolicy(devPolicy)
		alice.mustFail(`no keys stored for profile "other"\nsentinel: hint: store them: sentinel add other`, "credentials", "other")
	})
	t.Run("bad policy", func(t *testing.T) {
		w.setPolicy("version: \"1\"\nrules:\n  - name: x\n    effect: allow\n    conditions:\n      mode: [clii]\n")
		defer w.setPolicy(devPolicy)
		alice.mustFail(`policy.yaml:6: .*mode.*\n.*policy validate`, "credentials", "dev")
	})
	t.Run("no policy", func(t *testing.T) {
		if err := os.Remove(w.policy); err != nil {
			t.Fatal(err)
		}
		defer w.setPolicy(devPolicy)
		alice.mustFail(`no policy at .*policy.yaml: sentinel issues no credentials without one\n.*hint: write one`, "credentials", "dev")
	})
	t.Run("access denied", func(t *testing.T) {
		w2 := newWorld(t)
		w2.setPolicy(devPolicy)
		bob := w2.newPerson("bob")
		w2.sts.DenyRole("arn:aws:iam::111122223333:role/dev")
		bob.mustFail(`assume role arn:aws:iam::111122223333:role/dev.*(denied|AccessDenied)`, "exec", "dev", "--", "true")
		if d := bob.lastDecision(); d["effect"] != "deny" || !strings.Contains(d["reason"].(string), "credentials not issued") {
			t.Errorf("failed issue logged as %v", d)
		}
	})
	t.Run("throttled", func(t *testing.T) {
		w.sts.SetFault("AssumeRole", 400, "Throttling", "Rate exceeded")
		defer w.sts.ClearFault("AssumeRole")
		// The SDK backs off between throttled attempts (up to seconds, with
		// jitter), which could outlast the 5s call timeout and turn the
		// answer into "could not reach": one attempt keeps it the answer.
		alice.extra["AWS_MAX_ATTEMPTS"] = "1"
		defer delete(alice.extra, "AWS_MAX_ATTEMPTS")
		alice.mustFail(`throttl`, "exec", "--duration", "25m", "dev", "--", "true")
	})
	t.Run("unreachable STS", func(t *testing.T) {
		alice.extra["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:1"
		defer delete(alice.extra, "AWS_ENDPOINT_URL_STS")
		alice.mustFail(`could not reach STS`, "exec", "--duration", "30m", "dev", "--", "true")
	})
	t.Run("wrong keyring passphrase", func(t *testing.T) {
		alice.extra["SENTINEL_FILE_PASSPHRASE"] = "not-the-passphrase"
		defer delete(alice.extra, "SENTINEL_FILE_PASSPHRASE")
		alice.mustFail(`(passphrase|decrypt)`, "credentials", "dev")
	})
	t.Run("locked keyring", func(t *testing.T) {
		alice.extra["SENTINEL_FILE_PASSPHRASE"] = ""
		defer delete(alice.extra, "SENTINEL_FILE_PASSPHRASE")
		alice.mustFail(`SENTINEL_FILE_PASSPHRASE`, "credentials", "dev")
	})
}

func TestCorruptCacheEntryIsDroppedAndRefetched(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)
	alice.mustRun("credentials", "dev")
	dir := filepath.Join(alice.home, ".local", "share", "sentinel", "keyring")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	corrupted := 0
	for _, e := range entries {
		// Every item but the long-lived keys is a cache entry.
		if strings.Contains(e.Name(), "keys") {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), []byte("garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
		corrupted++
	}
	if corrupted == 0 {
		t.Fatalf("no cache items found in %s", dir)
	}
	before := len(w.assumeCalls())
	alice.mustRun("credentials", "dev")
	if len(w.assumeCalls()) != before+1 {
		t.Errorf("corrupt cache was not refetched")
	}
	alice.mustRun("credentials", "dev")
	if len(w.assumeCalls()) != before+1 {
		t.Errorf("refetched credentials were not cached again")
	}
}

func TestRemovingKeysDropsWhatWasIssuedFromThem(t *testing.T) {
	_, alice := newWorldWithAlice(t, devPolicy)
	alice.mustRun("credentials", "dev")
	if out := alice.mustRun("list").stdout; !strings.Contains(out, "role direct") {
		t.Fatalf("no cached role credentials listed:\n%s", out)
	}
	alice.mustFail(`no answer`, "remove", "default")
	alice.mustRun("remove", "--force", "default")
	out := alice.mustRun("list").stdout
	if strings.Contains(out, "role direct") || strings.Contains(out, "session:") || strings.Contains(out, "stored") {
		t.Errorf("credentials derived from removed keys still cached:\n%s", out)
	}
	alice.mustFail(`no keys stored for profile "default"`, "credentials", "dev")
}
