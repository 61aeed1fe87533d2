package e2e

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// `sentinel serve` as an attacker sees it: 400 calls without an accepted
// proof add a few auth.refused lines to the service's log, not one entry
// each; the counts still held are written when the service stops, and
// the chain verifies.
func TestServeSummarisesUnauthenticatedCalls(t *testing.T) {
	w := newServeWorld(t)
	w.start()
	logPath := filepath.Join(w.dir, "decisions.jsonl")
	size := func() int64 {
		fi, err := os.Stat(logPath)
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	before := size()
	const calls = 400
	for i := 0; i < calls; i++ {
		req, err := http.NewRequest(http.MethodPost, w.url+"/v1/credentials", strings.NewReader(`{"profile":"dev"}`))
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			req.Header.Set("X-Sentinel-Proof", "bm90IGEgcHJvb2Y")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("call %d: %d", i, resp.StatusCode)
		}
	}
	grown := size() - before
	t.Logf("%d refused calls appended %d bytes to the service's log", calls, grown)
	if grown > 1024 {
		t.Fatalf("%d refused calls appended %d bytes", calls, grown)
	}
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	_ = w.cmd.Wait()

	f, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	total := int64(0)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e struct {
			Event, Reason string
			Count         int64
			Since         string
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if e.Event != "auth.refused" {
			t.Errorf("unexpected entry: %s", sc.Text())
			continue
		}
		if e.Reason == "" || e.Since == "" {
			t.Errorf("summary without reason or since: %s", sc.Text())
		}
		total += e.Count
	}
	if total != calls {
		t.Fatalf("auth.refused counts %d calls, want %d", total, calls)
	}
	cmd := exec.Command(sentinelBin, "log", "verify", logPath)
	cmd.Env = w.env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("log verify: %v\n%s", err, out)
	}
}
