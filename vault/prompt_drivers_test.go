package vault

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const driverSerial = "arn:aws:iam::111122223333:mfa/alice"

// stubDir holds stub executables standing in for zenity, ykman and the
// others: each writes its arguments, one a line, to args.txt and then
// runs the given shell body.
func stubDir(t *testing.T, body string, names ...string) (dir, argsFile string) {
	t.Helper()
	dir = t.TempDir()
	argsFile = filepath.Join(dir, "args.txt")
	for _, n := range names {
		script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + argsFile + "\n" + body + "\n"
		if err := os.WriteFile(filepath.Join(dir, n), []byte(script), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return dir, argsFile
}

func lookIn(dir string) func(string) (string, error) {
	return func(name string) (string, error) {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			return "", exec.ErrNotFound
		}
		return p, nil
	}
}

func TestPromptDriversRunTheirCommandsWithTheRightArguments(t *testing.T) {
	dir, argsFile := stubDir(t, "echo 123456", "zenity", "kdialog", "osascript", "ykman")
	text := "Enter MFA code for " + driverSerial
	tests := []struct {
		driver string
		args   []string
	}{
		{PromptZenity, []string{"--entry", "--title", "sentinel", "--text", text}},
		{PromptKdialog, []string{"--title", "sentinel", "--inputbox", text}},
		{PromptOsascript, []string{"-e", `text returned of (display dialog "` + text + `" default answer "" with title "sentinel" with hidden answer)`}},
		{PromptYkman, []string{"oath", "accounts", "code", "--single", driverSerial}},
	}
	for _, tt := range tests {
		t.Run(tt.driver, func(t *testing.T) {
			p := MFAPrompter{Driver: tt.driver, LookPath: lookIn(dir), Terminal: noTerminal(t)}
			code, err := p.Prompt(driverSerial)
			if err != nil || code != "123456" {
				t.Fatalf("Prompt = %q, %v", code, err)
			}
			got, _ := os.ReadFile(argsFile)
			if want := strings.Join(tt.args, "\n") + "\n"; string(got) != want {
				t.Errorf("arguments:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func noTerminal(t *testing.T) func(string) (string, error) {
	return func(string) (string, error) {
		t.Error("the terminal prompt was used")
		return "", ErrMFARequired
	}
}

func TestPromptDriverFailures(t *testing.T) {
	tests := []struct {
		name, body string
		want       error
	}{
		{"cancelled", "echo 'dialog cancelled' >&2; exit 1", ErrPromptFailed},
		{"not a code", "echo 12345x", ErrInvalidMFACode},
		{"empty", "true", ErrInvalidMFACode},
		{"too much output", "yes 1 | head -c 100000", ErrInvalidMFACode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, _ := stubDir(t, tt.body, "ykman")
			_, err := MFAPrompter{Driver: PromptYkman, LookPath: lookIn(dir)}.Prompt(driverSerial)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is more than one line: %q", err)
			}
		})
	}
	if _, err := (MFAPrompter{Driver: PromptZenity, LookPath: lookIn(t.TempDir())}).Prompt(driverSerial); !errors.Is(err, ErrPromptFailed) || !strings.Contains(err.Error(), "zenity is not installed") {
		t.Errorf("missing zenity: %v", err)
	}
	if _, err := (MFAPrompter{Driver: "carrier-pigeon"}).Prompt(driverSerial); !errors.Is(err, ErrUnknownPrompt) {
		t.Errorf("unknown driver: %v", err)
	}
	for _, serial := range []string{"--help", "arn:aws:iam::1:mfa/a\" & do shell script \"x", "short"} {
		if _, err := (MFAPrompter{Driver: PromptYkman}).Prompt(serial); !errors.Is(err, ErrInvalidProfile) {
			t.Errorf("serial %q: %v", serial, err)
		}
	}
}

func TestMFAProcessWinsAndGetsOnlyTheEnvironmentGiven(t *testing.T) {
	dir, _ := stubDir(t, "echo 123456", "ykman")
	out := filepath.Join(t.TempDir(), "env.txt")
	p := MFAPrompter{
		Driver:   PromptYkman,
		Process:  "env > " + out + "; echo 654321",
		Env:      []string{"PATH=" + os.Getenv("PATH"), "KEEP=1"},
		LookPath: lookIn(dir),
	}
	code, err := p.Prompt(driverSerial)
	if err != nil || code != "654321" {
		t.Fatalf("mfa_process: %q, %v", code, err)
	}
	env, _ := os.ReadFile(out)
	if !strings.Contains(string(env), "KEEP=1") || strings.Contains(string(env), "SENTINEL_") {
		t.Errorf("mfa_process environment:\n%s", env)
	}
	p.Process = "exit 3"
	if _, err := p.Prompt(driverSerial); !errors.Is(err, ErrPromptFailed) {
		t.Errorf("failing mfa_process: %v", err)
	}
}

func TestAutoChoosesADriverThatNeedsNoTerminal(t *testing.T) {
	tests := []struct {
		name       string
		installed  []string
		goos       string
		hasDisplay bool
		want       string
	}{
		{"ykman first", []string{"ykman", "zenity"}, "linux", true, PromptYkman},
		{"zenity with a display", []string{"zenity", "kdialog"}, "linux", true, PromptZenity},
		{"kdialog with a display", []string{"kdialog"}, "linux", true, PromptKdialog},
		{"no display", []string{"zenity"}, "linux", false, PromptTerminal},
		{"macOS", []string{"osascript"}, "darwin", false, PromptOsascript},
		{"nothing", nil, "linux", true, PromptTerminal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, _ := stubDir(t, "", tt.installed...)
			p := MFAPrompter{LookPath: lookIn(dir), GOOS: tt.goos, HasDisplay: tt.hasDisplay}
			if got := p.Auto(); got != tt.want {
				t.Errorf("Auto() = %s, want %s", got, tt.want)
			}
		})
	}
}
