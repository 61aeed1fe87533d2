// Command distpack writes the release files of make dist so that two runs
// from one commit give the same bytes: tar.gz and zip archives with sorted
// entries, fixed owners, modes and SOURCE_DATE_EPOCH times and no gzip
// name or time; SHA256SUMS; and the Homebrew formula from those sums.
// scripts/dist.sh drives it.
//
//	distpack archive -o FILE.tar.gz|FILE.zip [-prefix DIR] [-epoch SECS] NAME=PATH...
//	distpack sums -o SHA256SUMS FILE...
//	distpack formula -o sentinel.rb -version V -url URL -sums SHA256SUMS
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "distpack:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: distpack archive|sums|formula [flags] [files]")
	}
	switch args[0] {
	case "archive":
		return archiveCommand(args[1:])
	case "sums":
		return sumsCommand(args[1:])
	case "formula":
		return formulaCommand(args[1:])
	}
	return fmt.Errorf("unknown command %q (archive, sums or formula)", args[0])
}
