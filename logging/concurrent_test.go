package logging

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// checkWriters reads a verified log and checks that writer w wrote exactly
// perWriter entries (User "w<w>", Note "<i>"), each once and in its order.
func checkWriters(t *testing.T, path string, writers, perWriter int) {
	t.Helper()
	rep, err := VerifyFile(path)
	if err != nil {
		t.Fatalf("VerifyFile: %v", err)
	}
	if rep.Entries != writers*perWriter {
		t.Fatalf("%d entries, want %d", rep.Entries, writers*perWriter)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	next := map[string]int{} // writer -> next note expected
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("torn line %q: %v", sc.Bytes(), err)
		}
		if want := strconv.Itoa(next[e.User]); e.Note != want {
			t.Fatalf("writer %s: entry %s, want %s", e.User, e.Note, want)
		}
		next[e.User]++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(next) != writers {
		t.Fatalf("%d writers in the log, want %d", len(next), writers)
	}
	for w, n := range next {
		if n != perWriter {
			t.Errorf("writer %s: %d entries, want %d", w, n, perWriter)
		}
	}
}

// appendAs writes perWriter entries as writer w.
func appendAs(l *Logger, w string, perWriter int) error {
	for i := 0; i < perWriter; i++ {
		e := decision(w)
		e.Note = strconv.Itoa(i)
		if err := l.Append(e); err != nil {
			return fmt.Errorf("writer %s entry %d: %w", w, i, err)
		}
	}
	return nil
}

func TestConcurrentGoroutines(t *testing.T) {
	const writers, perWriter = 32, 50
	tests := []struct {
		name   string
		shared bool // one Logger for all, or one each (one descriptor each)
	}{
		{"one shared Logger", true},
		{"a Logger per goroutine", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "decisions.jsonl")
			shared, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer shared.Close()
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			for w := 0; w < writers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					l := shared
					if !tt.shared {
						own, err := Open(path)
						if err != nil {
							errs <- err
							return
						}
						defer own.Close()
						l = own
					}
					errs <- appendAs(l, fmt.Sprintf("w%d", w), perWriter)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			checkWriters(t, path, writers, perWriter)
		})
	}
}

// helperEnv names the log a re-executed test binary appends to.
const helperEnv = "SENTINEL_LOGGING_HELPER_LOG"

// TestHelperProcess is not a test: TestConcurrentProcesses runs the test
// binary again with this test selected, as a separate writer process.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("only runs as a helper of TestConcurrentProcesses")
	}
	perWriter, err := strconv.Atoi(os.Getenv(helperEnv + "_N"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := appendAs(l, os.Getenv(helperEnv+"_WRITER"), perWriter); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentProcesses(t *testing.T) {
	const writers, perWriter = 4, 100
	path := filepath.Join(t.TempDir(), "decisions.jsonl")
	cmds := make([]*exec.Cmd, writers)
	for w := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(),
			helperEnv+"="+path,
			helperEnv+"_N="+strconv.Itoa(perWriter),
			helperEnv+"_WRITER="+fmt.Sprintf("p%d", w),
		)
		cmds[w] = cmd
	}
	outs := make([][]byte, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w, cmd := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[w], errs[w] = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	for w := range cmds {
		if errs[w] != nil {
			t.Fatalf("writer process %d: %v\n%s", w, errs[w], outs[w])
		}
	}
	checkWriters(t, path, writers, perWriter)
}
