package main

import "testing"

// TestParseBench reads go test -bench output: medians per benchmark and
// unit over -count runs, custom metrics included, the GOMAXPROCS suffix
// dropped, other lines ignored.
func TestParseBench(t *testing.T) {
	out := []byte(`goos: linux
BenchmarkParse1000Rules-2   	     100	  12000000 ns/op	 5000000 B/op	  104000 allocs/op
BenchmarkParse1000Rules-2   	     100	  10000000 ns/op	 5000000 B/op	  104000 allocs/op
BenchmarkParse1000Rules-2   	     100	  11000000 ns/op	 5000000 B/op	  104001 allocs/op
BenchmarkTeamWarmCredentials-2  3000  290000 ns/op  3441 decisions/s  8.9 p50-ms  19.5 p99-ms  46 peak-RSS-MiB
BenchmarkList/records=100 	 1000	  5000 ns/op
BenchmarkList/records=100000 	 1000	  7000 ns/op
PASS
ok  	github.com/sentinel-cli/sentinel/policy	3.1s
`)
	res := parseBench(out)
	cases := []struct {
		name, unit string
		want       float64
	}{
		{"BenchmarkParse1000Rules", "ns/op", 11000000},
		{"BenchmarkParse1000Rules", "allocs/op", 104000},
		{"BenchmarkTeamWarmCredentials", "decisions/s", 3441},
		{"BenchmarkTeamWarmCredentials", "p99-ms", 19.5},
		{"BenchmarkTeamWarmCredentials", "peak-RSS-MiB", 46},
		{"BenchmarkList/records=100", "ns/op", 5000},
		{"BenchmarkList/records=100000", "ns/op", 7000},
	}
	for _, tc := range cases {
		if got := res[tc.name][tc.unit]; got != tc.want {
			t.Errorf("%s %s: %v, want %v", tc.name, tc.unit, got, tc.want)
		}
	}
	if len(res) != 4 {
		t.Errorf("%d benchmarks, want 4: %v", len(res), res)
	}
	if name, _, ok := find(res, "BenchmarkParse1000"); !ok || name != "BenchmarkParse1000Rules" {
		t.Errorf("find: %q %v", name, ok)
	}
	if _, _, ok := find(res, "BenchmarkEvaluate10000"); ok {
		t.Error("found a benchmark that is not there")
	}
}

// TestSumInit adds up inittrace lines, ours apart, ignoring other output.
func TestSumInit(t *testing.T) {
	out := []byte(`init runtime @0.012 ms, 0.029 ms clock, 0 bytes, 0 allocs
init github.com/aws/aws-sdk-go-v2/service/dynamodb/schemas @1.2 ms, 0.66 ms clock, 586696 bytes, 9000 allocs
init github.com/sentinel-cli/sentinel/policy @5.3 ms, 0.060 ms clock, 34856 bytes, 373 allocs
init github.com/sentinel-cli/sentinel/cli @8.2 ms, 0.008 ms clock, 864 bytes, 10 allocs
sentinel v1 (commit x)
`)
	all, own, b, n := sumInit(out)
	if n != 4 || b != 586696+34856+864 || all < 0.7569 || all > 0.7571 || own < 0.0679 || own > 0.0681 {
		t.Fatalf("all %v own %v bytes %v n %d", all, own, b, n)
	}
}
