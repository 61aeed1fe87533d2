package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The command run under `exec --server` lives beside the credential server
// for as long as it runs. It must find no secret in the server's
// environment (/proc/$PPID/environ), and, not being root, must not be able
// to read the server's environment or memory at all: the server is made
// undumpable.
func TestExecServerHoldsNoReadableSecret(t *testing.T) {
	w, alice := newWorldWithAlice(t, devPolicy)
	secrets := map[string]string{
		"SENTINEL_FILE_PASSPHRASE":  passphrase,
		"MY_COPY_OF_THE_PASSPHRASE": passphrase,
		"AWS_SECRET_ACCESS_KEY":     fakeSecret,
		"AWS_SESSION_TOKEN":         "fake-outer-session-token",
	}
	dir := t.TempDir()

	t.Run("environ", func(t *testing.T) {
		out := filepath.Join(dir, "environ")
		// As this test's user: root may read any process's environ, so
		// what it finds is what the server kept there; anyone else cannot
		// read it at all.
		r := alice.runEnv(secrets, "exec", "--server", "dev", "--", "sh", "-c", `cat /proc/$PPID/environ > "$1" 2>/dev/null; echo $? > "$1.rc"`, "sh", out)
		if r.code != 0 {
			t.Fatalf("exec --server: %s", r)
		}
		rc, err := os.ReadFile(out + ".rc")
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(string(rc)) != "0" {
			t.Logf("the command cannot read /proc/$PPID/environ (exit %s)", strings.TrimSpace(string(rc)))
			return
		}
		environ, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(environ), "HOME="+alice.home) {
			t.Fatalf("read something else than the server's environment: %q", environ)
		}
		for _, secret := range []string{passphrase, fakeSecret, "fake-outer-session-token"} {
			if strings.Contains(string(environ), secret) {
				t.Errorf("the server's /proc/<pid>/environ holds a secret the test set (%d bytes)", len(secret))
			}
		}
	})

	t.Run("undumpable", func(t *testing.T) {
		// The command of a person who is not root: the same user as the
		// server, without CAP_SYS_PTRACE. When this test runs as root,
		// sentinel and its command run as nobody.
		rc := filepath.Join(dir, "undumpable.rc")
		bin, cred := sentinelBin, (*syscall.Credential)(nil)
		if os.Geteuid() == 0 {
			bin, cred = asNobody(t, w, dir)
		}
		cmd := exec.Command(bin, "exec", "--server", "dev", "--", "sh", "-c", `cat /proc/$PPID/environ > /dev/null 2>&1; echo $? > "$1"`, "sh", rc)
		cmd.Env = alice.env()
		for k, v := range secrets {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("exec --server: %v\n%s", err, out)
		}
		got, err := os.ReadFile(rc)
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(string(got)) == "0" {
			t.Error("the command read the credential server's /proc/<pid>/environ: the server is dumpable")
		}
	})
}

// asNobody hands the world's files (policy, store, alice's home) and a
// copy of the binary to the user nobody, so that sentinel can run as an
// ordinary user, and returns that copy and the credential to run it with.
func asNobody(t *testing.T, w *world, out string) (string, *syscall.Credential) {
	t.Helper()
	const nobody = 65534
	bin := filepath.Join(w.dir, "sentinel")
	data, err := os.ReadFile(sentinelBin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Dir(w.dir), filepath.Dir(out)} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	for _, root := range []string{w.dir, out} {
		err := filepath.Walk(root, func(path string, _ os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(path, nobody, nobody)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return bin, &syscall.Credential{Uid: nobody, Gid: nobody}
}
