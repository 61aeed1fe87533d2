// Command benchtable runs every figure of issue 17 (speed at a team's
// scale) and prints one table: the figure, the value measured, the target,
// and pass or fail. `make bench` runs it after `make build`.
//
//	go run ./scripts/benchtable -sentinel ./sentinel
//
// Go benchmarks run with -count N and the table shows medians; whole-process
// figures are measured against a baseline in the same run (this machine is
// shared and noisy, so single timings mean little). A figure whose
// benchmark or generator is not in the tree yet is shown as "missing", and
// one whose command failed as "error", with the reason below the table;
// the run goes on either way.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sentinel-cli/sentinel/internal/buildtags"
	"github.com/sentinel-cli/sentinel/logging"
)

// row is one line of the table.
type row struct {
	figure, value, target, status string
}

// table collects the rows and the notes printed under them.
type table struct {
	rows  []row
	notes []string
	// before holds, by figure, the value measured with the -compare
	// binary in the same run.
	before map[string]string
}

// setBefore records the earlier binary's value of a figure.
func (t *table) setBefore(figure, value string) {
	if t.before == nil {
		t.before = map[string]string{}
	}
	t.before[figure] = value
}

func (t *table) add(figure, value, target, status string) {
	t.rows = append(t.rows, row{figure, value, target, status})
	fmt.Fprintf(os.Stderr, "benchtable: %s: %s (%s)\n", figure, value, status)
}

func (t *table) missing(figure, target, why string) {
	t.add(figure, "-", target, "missing")
	t.notes = append(t.notes, figure+": "+why)
}

func (t *table) failed(figure, target string, err error) {
	t.add(figure, "-", target, "error")
	t.notes = append(t.notes, figure+": "+firstLines(err.Error(), 3))
}

func passFail(ok bool) string {
	if ok {
		return "pass"
	}
	return "FAIL"
}

// opts are the command-line settings.
type opts struct {
	sentinel string
	compare  string
	count    int
	runs     int
	lines    int
	logRuns  int
	server   bool
}

func main() {
	var o opts
	flag.StringVar(&o.sentinel, "sentinel", "./sentinel", "the built sentinel binary (make build)")
	flag.StringVar(&o.compare, "compare", "", "an earlier sentinel binary: its whole-process figures (warm credentials, init, log verify and show) are measured in the same run and shown in a BEFORE column")
	flag.IntVar(&o.count, "count", 5, "go test -count for the Go benchmarks")
	flag.IntVar(&o.runs, "runs", 100, "runs of each program for the warm credential_process figures")
	flag.IntVar(&o.lines, "lines", 1000000, "entries of the big log")
	flag.IntVar(&o.logRuns, "log-runs", 3, "runs of log verify and log show on the big log")
	flag.BoolVar(&o.server, "server", true, "run the team service benchmark")
	flag.Parse()
	start := time.Now()
	t := &table{}
	dir, err := os.MkdirTemp("", "benchtable-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)

	policyFigures(t, o)
	warmFigures(t, o)
	initFigures(t, o)
	logFigures(t, o, dir)
	if o.server {
		serverFigures(t, o)
	}
	storeFigures(t, o)

	fmt.Printf("\nissue 17 figures (%s, go test -count %d, %d warm runs, %d-entry log), %s\n",
		time.Now().UTC().Format(time.RFC3339), o.count, o.runs, o.lines, time.Since(start).Round(time.Second))
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	if o.compare != "" {
		fmt.Fprintf(tw, "FIGURE\tBEFORE (%s)\tMEASURED\tTARGET\tRESULT\n", o.compare)
	} else {
		fmt.Fprintln(tw, "FIGURE\tMEASURED\tTARGET\tRESULT")
	}
	for _, r := range t.rows {
		if o.compare != "" {
			before := t.before[r.figure]
			if before == "" {
				before = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.figure, before, r.value, r.target, r.status)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.figure, r.value, r.target, r.status)
	}
	tw.Flush()
	for _, n := range t.notes {
		fmt.Println("  note:", n)
	}
}

// benchResult is the medians of one benchmark over -count runs, by unit
// (ns/op, allocs/op, decisions/s...).
type benchResult map[string]float64

// goBench runs the Go benchmarks of pkg matching pattern and returns the
// medians by benchmark name (without the -GOMAXPROCS suffix).
func goBench(pkg, pattern string, count int, benchtime string) (map[string]benchResult, error) {
	args := []string{"test", "-tags", buildtags.Flag(), "-run", "^$", "-bench", pattern, "-benchmem", "-count", strconv.Itoa(count)}
	if benchtime != "" {
		args = append(args, "-benchtime", benchtime)
	}
	args = append(args, pkg)
	cmd := exec.Command("go", args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, tail(out, 10))
	}
	return parseBench(out), nil
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+\d+\s+(.*)$`)

// parseBench reads `go test -bench` output: per benchmark and unit, the
// median of its runs.
func parseBench(out []byte) map[string]benchResult {
	samples := map[string]map[string][]float64{}
	for _, line := range strings.Split(string(out), "\n") {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			if samples[m[1]] == nil {
				samples[m[1]] = map[string][]float64{}
			}
			samples[m[1]][f[i+1]] = append(samples[m[1]][f[i+1]], v)
		}
	}
	res := map[string]benchResult{}
	for name, units := range samples {
		res[name] = benchResult{}
		for unit, vs := range units {
			res[name][unit] = median(vs)
		}
	}
	return res
}

// find returns the result of the first benchmark whose name starts with
// prefix.
func find(res map[string]benchResult, prefix string) (string, benchResult, bool) {
	var names []string
	for n := range res {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "", nil, false
	}
	slices.Sort(names)
	return names[0], res[names[0]], true
}

func policyFigures(t *table, o opts) {
	res, err := goBench("./policy", "^(BenchmarkParse1000|BenchmarkEvaluate10000)", o.count, "")
	if err != nil {
		t.failed("policy: parse 1,000 rules", "< 2 ms", err)
		return
	}
	if name, r, ok := find(res, "BenchmarkParse1000"); ok {
		ns, allocs := r["ns/op"], r["allocs/op"]
		t.add("policy: parse 1,000 rules ("+name+")", dur(ns), "< 2 ms", passFail(ns < 2e6))
		t.add("policy: parse 1,000 rules, allocations", fmt.Sprintf("%.0f", allocs), "< 10,000", passFail(allocs < 10000))
	} else {
		t.missing("policy: parse 1,000 rules (BenchmarkParse1000)", "< 2 ms", "no BenchmarkParse1000* in ./policy")
	}
	if name, r, ok := find(res, "BenchmarkEvaluate10000"); ok {
		ns := r["ns/op"]
		t.add("policy: evaluate 10,000 rules ("+name+")", dur(ns), "< 20 µs", passFail(ns < 20e3))
	} else {
		t.missing("policy: evaluate 10,000 rules (BenchmarkEvaluate10000)", "< 20 µs", "no BenchmarkEvaluate10000* in ./policy")
	}
}

var (
	ratioTrivial = regexp.MustCompile(`ratio of medians \(unpinned\): ([0-9.]+)x`)
	ratioBig     = regexp.MustCompile(`large against small policy: ([0-9.]+)x`)
	earlierLine  = regexp.MustCompile(`earlier binary[^:]*:\s+median (\S+)\s+p90 \S+\s+ratio ([0-9.]+)x`)
	medianLine   = regexp.MustCompile(`(?m)^\s+(baseline|sentinel credentials dev)[^:]*:\s+median (\S+)`)
)

// warmFigures runs internal/warmbench (the built binary's warm
// `credentials` against a trivial Go program) and scripts/bench-policy-size
// (the same call with a 10,000-rule policy against a 10-rule one).
func warmFigures(t *table, o opts) {
	const trivialFig, bigFig = "warm credentials vs a trivial Go binary", "warm credentials, 10k-rule vs 10-rule policy"
	args := []string{"run", "./internal/warmbench", "-sentinel", o.sentinel, "-runs", strconv.Itoa(o.runs)}
	if o.compare != "" {
		args = append(args, "-compare", o.compare)
	}
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.failed(trivialFig, "<= 4x", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, tail(out, 5)))
	} else if m := ratioTrivial.FindSubmatch(out); m != nil {
		fmt.Fprintf(os.Stderr, "%s", out)
		r, _ := strconv.ParseFloat(string(m[1]), 64)
		val := fmt.Sprintf("%.2fx", r)
		if ms := medianLine.FindAllSubmatch(out, 2); len(ms) == 2 {
			val += fmt.Sprintf(" (%s vs %s)", ms[1][2], ms[0][2])
		}
		t.add(trivialFig, val, "<= 4x", passFail(r <= 4))
		if m := earlierLine.FindSubmatch(out); m != nil {
			t.setBefore(trivialFig, fmt.Sprintf("%sx (%s)", m[2], m[1]))
		}
	} else {
		t.failed(trivialFig, "<= 4x", fmt.Errorf("no ratio in warmbench output:\n%s", tail(out, 5)))
	}
	args = []string{"run", "./scripts/bench-policy-size", "-sentinel", o.sentinel, "-rules", "10000", "-runs", strconv.Itoa(o.runs)}
	out, err := exec.Command("go", args...).CombinedOutput()
	m := ratioBig.FindSubmatch(out)
	switch {
	case m != nil:
		fmt.Fprintf(os.Stderr, "%s", out)
		r, _ := strconv.ParseFloat(string(m[1]), 64)
		t.add(bigFig, fmt.Sprintf("%.2fx", r), "<= 1.15x", passFail(r <= 1.15))
	case err != nil:
		t.failed(bigFig, "<= 1.15x", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, tail(out, 5)))
	default:
		t.failed(bigFig, "<= 1.15x", fmt.Errorf("no ratio in bench-policy-size output:\n%s", tail(out, 5)))
	}
}

// initLine is one line of GODEBUG=inittrace=1 output.
var initLine = regexp.MustCompile(`^init (\S+) @\S+ ms, ([0-9.]+) ms clock, (\d+) bytes, (\d+) allocs`)

// initFigures reports what package initialisation costs the built binary
// (GODEBUG=inittrace=1, median of 11 runs of --version): in all, and in
// sentinel's own packages. No target: it says where start-up goes.
func initFigures(t *table, o opts) {
	const fig = "package init (inittrace): all / sentinel's own"
	if v, err := initTrace(o.sentinel); err != nil {
		t.failed(fig, "(reported)", err)
	} else {
		t.add(fig, v, "(reported)", "-")
	}
	if o.compare != "" {
		if v, err := initTrace(o.compare); err == nil {
			t.setBefore(fig, v)
		}
	}
}

// initTrace sums the inittrace of 11 runs of bin --version: medians.
func initTrace(bin string) (string, error) {
	var all, own, bytesAll []float64
	var count int
	for i := 0; i < 11; i++ {
		cmd := exec.Command(bin, "--version")
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("%s --version: %v", bin, err)
		}
		a, w, b, n := sumInit(out)
		all, own, bytesAll, count = append(all, a), append(own, w), append(bytesAll, b), n
	}
	return fmt.Sprintf("%.2f ms / %.2f ms, %d inits, %.0f KiB", median(all), median(own), count, median(bytesAll)/1024), nil
}

// sumInit adds up inittrace output: total clock, the clock of sentinel's
// own packages, bytes allocated, and the number of inits.
func sumInit(out []byte) (all, own, allocated float64, n int) {
	for _, line := range strings.Split(string(out), "\n") {
		m := initLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		ms, _ := strconv.ParseFloat(m[2], 64)
		b, _ := strconv.ParseFloat(m[3], 64)
		all += ms
		allocated += b
		n++
		if strings.HasPrefix(m[1], "github.com/sentinel-cli/sentinel") {
			own += ms
		}
	}
	return all, own, allocated, n
}

// logFigures writes a small and a big log with scripts/gen-log and times
// log verify and log show --since 1h on the big one (the built binary,
// medians of log-runs runs, peak RSS from the kernel), then the append
// cost on both.
func logFigures(t *table, o opts, dir string) {
	const verifyFig, rssFig, showFig, appendFig = "log verify, %s entries", "log verify peak RSS, %s vs %s entries", "log show --since 1h, %s entries", "log append, %s vs 1,000 entries"
	n := thousands(o.lines)
	small, mid, big := filepath.Join(dir, "small", "decisions.jsonl"), filepath.Join(dir, "mid", "decisions.jsonl"), filepath.Join(dir, "big", "decisions.jsonl")
	midLines := max(o.lines/10, 1000)
	for _, l := range []struct {
		path  string
		lines int
	}{{small, 1000}, {mid, midLines}, {big, o.lines}} {
		args := []string{"run", "./scripts/gen-log", "-n", strconv.Itoa(l.lines), "-o", l.path}
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			err = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, tail(out, 5))
			t.failed(fmt.Sprintf(verifyFig, n), "< 10 s", err)
			return
		}
	}
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.failed(fmt.Sprintf(verifyFig, n), "< 10 s", err)
		return
	}
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".state"), "AWS_CONFIG_FILE=" + filepath.Join(home, "aws-config"),
		"AWS_EC2_METADATA_DISABLED=true"}

	// log verify: time and peak RSS, big against small.
	bigT, bigRSS, err := timeCmd(env, o.logRuns, o.sentinel, "log", "verify", big)
	if err != nil {
		t.failed(fmt.Sprintf(verifyFig, n), "< 10 s", err)
	} else {
		t.add(fmt.Sprintf(verifyFig, n), bigT.Round(10*time.Millisecond).String(), "< 10 s", passFail(bigT < 10*time.Second))
		if o.compare != "" {
			if d, rss, err := timeCmd(env, o.logRuns, o.compare, "log", "verify", big); err == nil {
				t.setBefore(fmt.Sprintf(verifyFig, n), fmt.Sprintf("%s (%.1f MiB)", d.Round(10*time.Millisecond), float64(rss)/(1<<20)))
			}
		}
		fig := fmt.Sprintf(rssFig, n, thousands(midLines))
		_, midRSS, err := timeCmd(env, o.logRuns, o.sentinel, "log", "verify", mid)
		switch {
		case err != nil:
			t.failed(fig, "<= 1.25x (constant)", err)
		case midRSS == 0 || bigRSS == 0:
			t.failed(fig, "<= 1.25x (constant)", errors.New("no peak RSS read from /proc"))
		default:
			r := float64(bigRSS) / float64(midRSS)
			t.add(fig, fmt.Sprintf("%.2fx (%.1f vs %.1f MiB)", r, float64(bigRSS)/(1<<20), float64(midRSS)/(1<<20)), "<= 1.25x (constant)", passFail(r <= 1.25))
		}
	}

	// log show --since 1h: the last hour of the big log.
	showT, _, err := timeCmd(env, max(o.logRuns, 5), o.sentinel, "log", "show", "--log-file", big, "--since", "1h")
	if err != nil {
		t.failed(fmt.Sprintf(showFig, n), "< 0.5 s", err)
	} else {
		t.add(fmt.Sprintf(showFig, n), showT.Round(time.Millisecond).String(), "< 0.5 s", passFail(showT < 500*time.Millisecond))
		if o.compare != "" {
			if d, _, err := timeCmd(env, o.logRuns, o.compare, "log", "show", "--log-file", big, "--since", "1h"); err == nil {
				t.setBefore(fmt.Sprintf(showFig, n), d.Round(time.Millisecond).String())
			}
		}
	}

	// Append on the big log against the small one, in this process: the
	// same Logger every credentials call uses.
	a, err := appendMedian(small)
	if err == nil {
		var b time.Duration
		if b, err = appendMedian(big); err == nil {
			r := float64(b) / float64(a)
			t.add(fmt.Sprintf(appendFig, n), fmt.Sprintf("%.2fx (%v vs %v)", r, b, a), "<= 1.5x (O(1))", passFail(r <= 1.5))
		}
	}
	if err != nil {
		t.failed(fmt.Sprintf(appendFig, n), "<= 1.5x (O(1))", err)
	}
}

// appendMedian is the median time of one Logger.Append on the log at path.
func appendMedian(path string) (time.Duration, error) {
	l, err := logging.Open(path)
	if err != nil {
		return 0, err
	}
	defer l.Close()
	const rounds = 301
	times := make([]float64, rounds)
	for i := range times {
		e := &logging.Entry{Event: logging.EventDecision, User: "bench", Profile: "dev", Effect: "allow", Rule: "bench", Mode: "cli"}
		start := time.Now()
		if err := l.Append(e); err != nil {
			return 0, err
		}
		times[i] = float64(time.Since(start))
	}
	return time.Duration(median(times)), nil
}

// timeCmd runs argv runs times and returns the median wall time and the
// largest peak RSS (bytes) seen, 0 where it could not be read.
//
// The peak RSS is the child's VmHWM, polled from /proc while it runs:
// getrusage's maxrss of a child is no use here, as Linux counts in it the
// parent's resident set at the child's exec (this program's, not the
// command's). Polling misses at most the last few milliseconds, which for
// a command that runs a second or more is its steady state.
func timeCmd(env []string, runs int, argv ...string) (time.Duration, int64, error) {
	var times []float64
	var rss int64
	for i := 0; i < runs; i++ {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = nil, &stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return 0, 0, err
		}
		done := make(chan struct{})
		peak := make(chan int64, 1)
		go func(pid int) {
			var hwm int64
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-done:
					peak <- hwm
					return
				case <-tick.C:
					hwm = max(hwm, vmHWM(pid))
				}
			}
		}(cmd.Process.Pid)
		err := cmd.Wait()
		d := time.Since(start)
		close(done)
		rss = max(rss, <-peak)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, tail(stderr.Bytes(), 3))
		}
		times = append(times, float64(d))
	}
	return time.Duration(median(times)), rss, nil
}

// vmHWM is the peak resident set of process pid in bytes, or 0.
func vmHWM(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// serverFigures runs the team service benchmark (embedded store; a
// DynamoDB Local variant is reported beside it, without a target).
func serverFigures(t *table, o opts) {
	const fig = "team service, 32 clients, embedded store"
	res, err := goBench("./server", "^BenchmarkTeamWarmCredentials", max(1, min(o.count, 3)), "")
	if err != nil {
		t.failed(fig, ">= 5,000 decisions/s", err)
		return
	}
	r, ok := res["BenchmarkTeamWarmCredentials"]
	if !ok {
		t.missing(fig, ">= 5,000 decisions/s", "no BenchmarkTeamWarmCredentials in ./server")
	} else {
		t.add(fig+": decisions/s", fmt.Sprintf("%.0f", r["decisions/s"]), ">= 5,000", passFail(r["decisions/s"] >= 5000))
		t.add(fig+": p99", fmt.Sprintf("%.1f ms", r["p99-ms"]), "<= 10 ms", passFail(r["p99-ms"] > 0 && r["p99-ms"] <= 10))
		t.add(fig+": peak RSS", fmt.Sprintf("%.0f MiB", r["peak-RSS-MiB"]), "<= 64 MiB", passFail(r["peak-RSS-MiB"] > 0 && r["peak-RSS-MiB"] <= 64))
	}
	var others []string
	for name := range res {
		if name != "BenchmarkTeamWarmCredentials" {
			others = append(others, name)
		}
	}
	slices.Sort(others)
	for _, name := range others {
		t.add(strings.TrimPrefix(name, "Benchmark"), metrics(res[name]), "(reported, no target)", "-")
	}
}

// storeFigures runs the store listing benchmarks: a sub-benchmark pair
// records=100 and records=100000 of one benchmark gives a ratio (target
// 2x); anything else is reported as it is.
func storeFigures(t *table, o opts) {
	const fig = "store listing, 100,000 vs 100 records"
	res, err := goBench("./store/...", "List", o.count, "")
	if err != nil {
		t.failed(fig, "<= 2x", err)
		return
	}
	if len(res) == 0 {
		t.missing(fig, "<= 2x", "no benchmark matching List in ./store/...")
		return
	}
	var names []string
	for n := range res {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		if !strings.Contains(name, "records=100000") {
			if !strings.Contains(name, "records=100") {
				t.add(strings.TrimPrefix(name, "Benchmark"), metrics(res[name]), "(reported)", "-")
			}
			continue
		}
		smallName := strings.Replace(name, "records=100000", "records=100", 1)
		small, ok := res[smallName]
		if !ok {
			t.add(strings.TrimPrefix(name, "Benchmark"), metrics(res[name]), "<= 2x", "missing")
			continue
		}
		r := res[name]["ns/op"] / small["ns/op"]
		label := strings.TrimPrefix(strings.Replace(name, "records=100000", "100k vs 100", 1), "Benchmark")
		t.add(label, fmt.Sprintf("%.2fx (%s vs %s)", r, dur(res[name]["ns/op"]), dur(small["ns/op"])), "<= 2x", passFail(r <= 2))
	}
}

// metrics formats a benchmark's figures.
func metrics(r benchResult) string {
	var units []string
	for u := range r {
		units = append(units, u)
	}
	slices.Sort(units)
	var parts []string
	for _, u := range units {
		if u == "ns/op" {
			parts = append(parts, dur(r[u])+"/op")
			continue
		}
		if u == "B/op" {
			continue
		}
		parts = append(parts, fmt.Sprintf("%.4g %s", r[u], u))
	}
	return strings.Join(parts, ", ")
}

func dur(ns float64) string {
	d := time.Duration(ns)
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	case d >= time.Microsecond:
		return d.Round(10 * time.Nanosecond).String()
	}
	return d.String()
}

func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// tail is the last n lines of out.
func tail(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " | ")
}
