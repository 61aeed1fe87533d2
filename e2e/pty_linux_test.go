//go:build linux

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: the test drives the master, the
// child gets the slave as its controlling terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Fatalf("pty number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Fatalf("open pty slave: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// readUntil reads from the master until want appears or the time is up.
func readUntil(t *testing.T, m *os.File, want string, within time.Duration) string {
	t.Helper()
	var seen bytes.Buffer
	deadline := time.Now().Add(within)
	buf := make([]byte, 256)
	for !strings.Contains(seen.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal never showed %q; it showed %q", want, seen.String())
		}
		_ = m.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, _ := m.Read(buf)
		seen.Write(buf[:n])
	}
	return seen.String()
}

func TestTerminalPromptOnAPseudoTerminal(t *testing.T) {
	w, alice := mfaPerson(t, "")
	// ykman is installed, but a terminal is there: the terminal wins.
	argsOf := stubCommands(t, alice, "999999", "ykman")
	m, s := openPTY(t)
	cmd := exec.Command(sentinelBin, "credentials", "devmfa")
	cmd.Env = alice.env()
	var out, errOut bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s, &out, &errOut
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	readUntil(t, m, "Enter MFA code for "+mfaSerial+": ", 20*time.Second)
	if _, err := m.Write([]byte("123456\n")); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("credentials on a terminal: %v\nstderr: %s", err, errOut.String())
	}
	if !strings.Contains(out.String(), `"AccessKeyId":"ASIA`) || strings.Contains(out.String(), "Enter MFA") {
		t.Errorf("stdout is not the document alone: %q", out.String())
	}
	if calls := w.sts.CallsOf("GetSessionToken"); len(calls) != 1 || calls[0].Params.Get("TokenCode") != "123456" {
		t.Errorf("GetSessionToken calls: %+v", calls)
	}
	if argsOf("ykman") != "" {
		t.Error("ykman ran although there was a terminal")
	}
}

func TestAddFromCredentialsFileOffersToRemoveThem(t *testing.T) {
	w, alice := importWorld(t)
	alice.writeFile(".aws/credentials", credentialsFile)
	path := alice.home + "/.aws/credentials"
	m, s := openPTY(t)
	cmd := exec.Command(sentinelBin, "add", "--from-credentials-file", "work")
	cmd.Env = alice.env()
	var out bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s, &out, s
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	readUntil(t, m, "Remove the keys of profile work from "+path+"? [y/N] ", 20*time.Second)
	if _, err := m.Write([]byte("y\n")); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("add: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "Removed the keys of profile work from "+path) {
		t.Errorf("stdout %q", out.String())
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), workKey) || strings.Contains(string(got), fakeSecret) || !strings.Contains(string(got), "AKIAFAKEOTHER000") || !strings.Contains(string(got), "region") {
		t.Errorf("credentials file after removal:\n%s", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode %v", fi.Mode().Perm())
	}
	wantWorkKeysStored(t, w, alice)
}
