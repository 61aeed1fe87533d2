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
	// _MAX rotates the log at that many bytes; _KEY turns on keyed mode.
	var opts Options
	if m := os.Getenv(helperEnv + "_MAX"); m != "" {
		if opts.MaxBytes, err = strconv.ParseInt(m, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	if os.Getenv(helperEnv+"_KEY") != "" {
		opts.Key = testKey
	}
	l, err := OpenWith(path, opts)
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
	runWriterProcesses(t, path, writers, perWriter)
	checkWriters(t, path, writers, perWriter)
}

// TestConcurrentRotation runs several writer processes on a keyed log that
// rotates every few kilobytes: no entry is lost, duplicated or reordered
// within its writer, and the chain spans every file.
func TestConcurrentRotation(t *testing.T) {
	const writers, perWriter = 4, 100
	path := filepath.Join(t.TempDir(), "decisions.jsonl")
	runWriterProcesses(t, path, writers, perWriter, helperEnv+"_MAX=4000", helperEnv+"_KEY=1")
	rep, err := VerifyLog(path, VerifyOptions{Key: testKey})
	if err != nil {
		t.Fatalf("VerifyLog: %v", err)
	}
	if len(rep.Files) < 5 {
		t.Fatalf("%d files, want many rotations", len(rep.Files))
	}
	next := map[string]int{}
	decisions := 0
	st, err := ReadLog(path, func(r Record) error {
		if r.Entry.Event == EventRotated {
			return nil
		}
		decisions++
		if want := strconv.Itoa(next[r.Entry.User]); r.Entry.Note != want {
			return fmt.Errorf("writer %s: entry %s, want %s", r.Entry.User, r.Entry.Note, want)
		}
		next[r.Entry.User]++
		return nil
	})
	if err != nil || st.Skipped != 0 || st.Gap != nil {
		t.Fatalf("ReadLog: %v %+v", err, st)
	}
	if decisions != writers*perWriter || rep.Entries != decisions+len(rep.Files)-1 {
		t.Fatalf("%d decisions and %d entries in %d files, want %d decisions", decisions, rep.Entries, len(rep.Files), writers*perWriter)
	}
	// No temporary file of a rotation is left behind.
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*rotate-*"))
	if len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

// runWriterProcesses runs writers copies of the test binary, each
// appending perWriter entries to path, with extra environment.
func runWriterProcesses(t *testing.T, path string, writers, perWriter int, env ...string) {
	t.Helper()
	cmds := make([]*exec.Cmd, writers)
	for w := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(),
			helperEnv+"="+path,
			helperEnv+"_N="+strconv.Itoa(perWriter),
			helperEnv+"_WRITER="+fmt.Sprintf("p%d", w),
		)
		cmd.Env = append(cmd.Env, env...)
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
}
