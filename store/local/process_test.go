package local

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
)

// childEnv carries the store path and start time to a re-executed test
// binary; when it is set, TestProcessRace plays the child.
const childEnv = "SENTINEL_LOCAL_STORE_CHILD"

// TestProcessRace starts three processes that each open the same store and
// try to open break-glass for the same user and profile at the same moment.
// Exactly one may win; the others must be told an event is active.
func TestProcessRace(t *testing.T) {
	if spec := os.Getenv(childEnv); spec != "" {
		raceChild(spec)
		return
	}
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Every child waits for the same instant, so the Opens overlap even
	// though the processes start one after another.
	start := time.Now().Add(500 * time.Millisecond).UnixNano()
	const children = 3
	cmds := make([]*exec.Cmd, children)
	outs := make([]*strings.Builder, children)
	for i := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestProcessRace$", "-test.count=1")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%d", childEnv, path, start))
		outs[i] = new(strings.Builder)
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatalf("start child %d: %v", i, err)
		}
		cmds[i] = cmd
	}
	wins, refused := 0, 0
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, outs[i])
		}
		switch result := childResult(outs[i].String()); result {
		case "won":
			wins++
		case "active-exists":
			refused++
		default:
			t.Fatalf("child %d: unexpected result %q\n%s", i, result, outs[i])
		}
	}
	if wins != 1 || refused != children-1 {
		t.Fatalf("%d winners and %d refused, want 1 and %d", wins, refused, children-1)
	}

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	es, err := s.Breakglass().List(context.Background(), breakglass.Query{Invoker: "alice"}.Record(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 {
		t.Fatalf("the store holds %d events for alice, want 1", len(es))
	}
}

// raceChild is the child side of TestProcessRace: it opens one event and
// prints a RESULT line.
func raceChild(spec string) {
	path, startText, _ := strings.Cut(spec, "|")
	var startNanos int64
	if _, err := fmt.Sscan(startText, &startNanos); err != nil {
		fmt.Println("RESULT: bad spec:", err)
		return
	}
	id, err := breakglass.NewID()
	if err != nil {
		fmt.Println("RESULT: id:", err)
		return
	}
	now := time.Now()
	e, err := breakglass.New(breakglass.NewParams{
		ID: id, Invoker: "alice", Profile: "prod", ReasonCode: breakglass.ReasonIncident,
		Justification: "production is down and the pager went off", Duration: time.Hour, Now: now,
	})
	if err != nil {
		fmt.Println("RESULT: new:", err)
		return
	}
	time.Sleep(time.Until(time.Unix(0, startNanos)))
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Println("RESULT: open store:", err)
		return
	}
	defer s.Close()
	switch err := s.Breakglass().Open(context.Background(), e, breakglass.Limits{}); {
	case err == nil:
		fmt.Println("RESULT: won")
	case errors.Is(err, breakglass.ErrActiveExists):
		fmt.Println("RESULT: active-exists")
	default:
		fmt.Println("RESULT:", err)
	}
}

// childResult picks the RESULT line out of a child's output.
func childResult(out string) string {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if r, ok := strings.CutPrefix(sc.Text(), "RESULT: "); ok {
			return r
		}
	}
	return ""
}
