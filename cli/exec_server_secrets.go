package cli

import (
	"errors"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// The long-running `exec --server` process keeps no secret where its
// command could read it. Its environment is what /proc/<pid>/environ shows
// (and `ps eww` on macOS) for as long as it runs, whatever it later
// unsets: so before it does anything else it runs itself again, with the
// same process ID (execve), without the keyring passphrase and the AWS
// secrets in its environment, and hands the passphrase to the new image on
// an inherited pipe. Then it makes itself undumpable where the system
// allows (exec_server_secrets_*.go), so that the command, running as the
// same user, cannot read its memory either.

// passphraseFDEnv names the descriptor of the pipe the passphrase comes on
// after the restart. It is not a secret (a number), and secretName keeps
// it out of every child's environment.
const passphraseFDEnv = "SENTINEL_PASSPHRASE_FD"

// maxPassphrase bounds what is read from the pipe: a pipe holds 64 KiB
// before a write blocks, and no passphrase comes near that.
const maxPassphrase = 16 << 10

// serverSecretEnv are the variables the server process drops from its own
// environment, beside any variable holding the passphrase and those
// secretName matches: it needs none of them once the passphrase is on the
// pipe (it reads keys from the keyring, never from the environment).
var serverSecretEnv = []string{
	"SENTINEL_FILE_PASSPHRASE", "AWS_VAULT_FILE_PASSPHRASE",
	"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN",
}

// serverOwnEnv is the server process's environment without secrets, and
// whether anything was dropped. passphrase is the keyring passphrase read
// at start; a variable holding it under any name is dropped too.
func serverOwnEnv(parent []string, passphrase string) ([]string, bool) {
	env := make([]string, 0, len(parent))
	for _, kv := range parent {
		name, value, _ := strings.Cut(kv, "=")
		switch {
		case name == passphraseFDEnv:
		case slices.Contains(serverSecretEnv, strings.ToUpper(name)), secretName(name):
			continue
		case passphrase != "" && (value == passphrase || len(passphrase) >= 8 && strings.Contains(value, passphrase)):
			continue
		}
		env = append(env, kv)
	}
	return env, len(env) != len(parent)
}

// errPassphraseTooLong refuses a passphrase that would not fit the pipe.
var errPassphraseTooLong = errors.New("the keyring passphrase is longer than 16 KiB")

// readPassphraseFD reads the passphrase the restarted server process was
// handed on descriptor fd (from passphraseFDEnv), and closes it. It is
// called once, at start, by environment.
func readPassphraseFD(fd string) (string, error) {
	n, err := strconv.Atoi(fd)
	if err != nil || n < 3 {
		return "", errors.New(passphraseFDEnv + " is not a descriptor number above 2")
	}
	f := os.NewFile(uintptr(n), "passphrase")
	if f == nil {
		return "", errors.New(passphraseFDEnv + " names no open descriptor")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPassphrase+1))
	if err != nil {
		return "", err
	}
	if len(data) > maxPassphrase {
		return "", errPassphraseTooLong
	}
	return string(data), nil
}
