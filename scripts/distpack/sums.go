package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func sumsCommand(args []string) error {
	fs := flag.NewFlagSet("sums", flag.ContinueOnError)
	out := fs.String("o", "", "the SHA256SUMS file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() == 0 {
		return fmt.Errorf("sums: -o and at least one file are required")
	}
	data, err := sums(fs.Args())
	if err != nil {
		return err
	}
	return os.WriteFile(*out, data, 0o644)
}

// sums is the sha256sum(1) listing of files ("HASH  NAME", by base name,
// sorted), which `sha256sum -c` and `shasum -a 256 -c` check.
func sums(files []string) ([]byte, error) {
	type line struct{ name, sum string }
	var lines []line
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		lines = append(lines, line{filepath.Base(f), hex.EncodeToString(sum[:])})
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i].name < lines[j].name })
	var b bytes.Buffer
	for i, l := range lines {
		if i > 0 && lines[i-1].name == l.name {
			return nil, fmt.Errorf("sums: two files named %s", l.name)
		}
		fmt.Fprintf(&b, "%s  %s\n", l.sum, l.name)
	}
	return b.Bytes(), nil
}

// readSums parses a SHA256SUMS file into name -> hash.
func readSums(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 {
			return nil, fmt.Errorf("%s: bad line %q", path, sc.Text())
		}
		out[name] = sum
	}
	return out, sc.Err()
}
