// Command gen-policy writes a deterministic policy of N rules and N pinned
// profiles (see policy/policygen) for benchmarks and `make bench`:
//
//	go run ./scripts/gen-policy -rules 10000 > policy.yaml
//	go run ./scripts/gen-policy -rules 10000 -profiles 100 -o policy.yaml
//
// Rule i allows user-NNNNN (NNNNN = i) on profile team-MMMMM (MMMMM = i mod
// profiles); the last rule allows the bare name "ops" on every profile.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/sentinel-cli/sentinel/policy/policygen"
)

func main() {
	rules := flag.Int("rules", 10000, "number of rules")
	profiles := flag.Int("profiles", 0, "number of pinned profiles (default: as many as rules)")
	out := flag.String("o", "", "write to this file (mode 0600) instead of standard output")
	flag.Parse()
	if *rules < 1 || *profiles < 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gen-policy [-rules N] [-profiles N] [-o FILE]")
		os.Exit(2)
	}
	if *profiles == 0 {
		*profiles = *rules
	}
	data := policygen.Policy(*rules, *profiles)
	var err error
	if *out == "" {
		_, err = os.Stdout.Write(data)
	} else {
		err = os.WriteFile(*out, data, 0o600)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-policy:", err)
		os.Exit(1)
	}
}
