// Command baseline is the yardstick of the warm-path benchmark: a trivial
// Go program that reads one small file and prints one JSON line, which is
// the least any credential_process helper must do.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, _ := json.Marshal(map[string]any{"Version": 1, "Bytes": len(data)})
	fmt.Println(string(out))
}
