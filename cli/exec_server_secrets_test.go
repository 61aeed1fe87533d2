package cli

import (
	"slices"
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

func TestReadPassphraseFDRefusesBadNumbers(t *testing.T) {
	for _, bad := range []string{"0", "2", "-1", "x", ""} {
		if _, err := readPassphraseFD(bad); err == nil {
			t.Errorf("readPassphraseFD(%q) accepted", bad)
		}
	}
}
