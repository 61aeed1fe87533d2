package cli

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestServerOwnEnv(t *testing.T) {
	const pass = "correct horse battery"
	parent := []string{
		"HOME=/home/alice", "PATH=/usr/bin", "SENTINEL_BACKEND=file", "AWS_REGION=eu-west-1",
		"SENTINEL_FILE_PASSPHRASE=" + pass, "AWS_VAULT_FILE_PASSPHRASE=other", "MY_COPY=" + pass,
		"URL=file://u:" + pass + "@h", "AWS_SECRET_ACCESS_KEY=s", "AWS_SESSION_TOKEN=t",
		"SENTINEL_PASS_SECRET=x", "AWS_ENDPOINT_URL_STS=http://127.0.0.1:1",
	}
	got, dropped := serverOwnEnv(parent, pass)
	want := []string{"HOME=/home/alice", "PATH=/usr/bin", "SENTINEL_BACKEND=file", "AWS_REGION=eu-west-1", "AWS_ENDPOINT_URL_STS=http://127.0.0.1:1"}
	if !dropped || !slices.Equal(got, want) {
		t.Errorf("serverOwnEnv = %q (dropped %t), want %q", got, dropped, want)
	}
	// After the restart nothing is left to drop, the descriptor's name
	// included: the process does not restart again.
	again, dropped := serverOwnEnv(append(want, passphraseFDEnv+"=3"), pass)
	if dropped || len(again) != len(want)+1 {
		t.Errorf("second pass dropped %t: %q", dropped, again)
	}
}

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
			go func() { w.WriteString(tc.data); w.Close() }()
			got, err := readPassphraseFD(strconv.Itoa(int(r.Fd())))
			if (err != nil) != tc.wantErr || (!tc.wantErr && got != tc.data) {
				t.Errorf("readPassphraseFD: %d bytes, %v", len(got), err)
			}
		})
	}
	for _, bad := range []string{"0", "2", "-1", "x", ""} {
		if _, err := readPassphraseFD(bad); err == nil {
			t.Errorf("readPassphraseFD(%q) accepted", bad)
		}
	}
}
