//go:build unix

package cli

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestReadPassphraseFD(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		wantErr    bool
	}{
		{"passphrase", "correct horse battery", false},
		{"empty", "", false},
		{"too long", strings.Repeat("x", maxPassphrase+1), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			// readPassphraseFD closes the descriptor it is given, as the
			// restarted process does: hand it a duplicate, so that r's own
			// close never closes a number another test has opened since.
			fd, err := syscall.Dup(int(r.Fd()))
			if err != nil {
				t.Fatal(err)
			}
			go func() { w.WriteString(tc.data); w.Close() }()
			got, err := readPassphraseFD(strconv.Itoa(fd))
			if (err != nil) != tc.wantErr || (!tc.wantErr && got != tc.data) {
				t.Errorf("readPassphraseFD: %d bytes, %v", len(got), err)
			}
		})
	}
}
