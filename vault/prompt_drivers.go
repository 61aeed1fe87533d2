package vault

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/internal/field"
)

// Names of the MFA prompt drivers, as aws-vault names them, plus
// mfa_process.
const (
	PromptTerminal   = "terminal"
	PromptZenity     = "zenity"
	PromptKdialog    = "kdialog"
	PromptOsascript  = "osascript"
	PromptYkman      = "ykman"
	PromptMFAProcess = "mfa_process"
)

// PromptDrivers lists the drivers a person may choose.
func PromptDrivers() []string {
	return []string{PromptTerminal, PromptZenity, PromptKdialog, PromptOsascript, PromptYkman}
}

// ErrPromptFailed means an MFA prompt driver did not produce a code: the
// dialog was cancelled, the YubiKey was missing, the command failed.
var ErrPromptFailed = errors.New("MFA prompt failed")

// ErrUnknownPrompt means a prompt driver name is not one of
// PromptDrivers.
var ErrUnknownPrompt = errors.New("unknown MFA prompt driver")

// Timeouts of the prompt drivers: a dialog waits for a person, ykman for a
// touch of the key, mfa_process for whatever it asks.
const (
	dialogTimeout  = 5 * time.Minute
	ykmanTimeout   = time.Minute
	processTimeout = 2 * time.Minute
)

// maxDriverOutput bounds what a driver's output is read to.
const maxDriverOutput = 4096

// validMFASerial is what STS accepts as a serial number. A serial is
// checked against it before it reaches any command, so that it can never
// be read as an option or break out of a quoted string.
func validMFASerial(serial string) bool { return field.CharsIn(serial, 9, 256, "+=/:,.@-") }

// MFAPrompter asks for MFA codes with one driver. The zero value is the
// terminal prompt. Its settings are read once, at start, by the CLI.
type MFAPrompter struct {
	// Driver is one of PromptDrivers; empty means the terminal, or, when
	// there is none, a driver that works without one (see Auto).
	Driver string
	// Process is the profile's mfa_process: a shell command that prints
	// the code. When set it is used whatever Driver says.
	Process string
	// Env is the environment of the commands the drivers run (the CLI
	// passes its own without credentials or keyring secrets); nil means
	// an empty one.
	Env []string
	// HasDisplay says whether a graphical session is available
	// (DISPLAY or WAYLAND_DISPLAY on Linux), for choosing a dialog
	// without a terminal.
	HasDisplay bool
	// LookPath finds a command; nil means exec.LookPath.
	LookPath func(string) (string, error)
	// Terminal is the terminal prompt; nil means PromptMFA.
	Terminal func(serial string) (string, error)
	// GOOS is the operating system; empty means runtime.GOOS.
	GOOS string
}

// CheckPromptDriver checks that name is one of PromptDrivers (or empty).
func CheckPromptDriver(name string) error {
	if name == "" || slices.Contains(PromptDrivers(), name) {
		return nil
	}
	return newError(ErrUnknownPrompt, nil, "unknown MFA prompt %q (choose one of %s)", name, strings.Join(PromptDrivers(), ", "))
}

// Prompt asks for the code of the MFA device serial and returns it once
// it is six digits.
func (p MFAPrompter) Prompt(serial string) (string, error) {
	if !validMFASerial(serial) {
		return "", fmt.Errorf("%w: mfa_serial %q is not an MFA device serial or ARN", ErrInvalidProfile, serial)
	}
	if p.Process != "" {
		return p.run(PromptMFAProcess, serial, processTimeout, "/bin/sh", "-c", p.Process)
	}
	driver := p.Driver
	if driver == "" {
		driver = p.auto()
	}
	if err := CheckPromptDriver(driver); err != nil {
		return "", err
	}
	text := "Enter MFA code for " + serial
	switch driver {
	case PromptZenity:
		return p.run(driver, serial, dialogTimeout, "zenity", "--entry", "--title", "sentinel", "--text", text)
	case PromptKdialog:
		return p.run(driver, serial, dialogTimeout, "kdialog", "--title", "sentinel", "--inputbox", text)
	case PromptOsascript:
		// The serial passed validMFASerial: no quote or backslash.
		script := `text returned of (display dialog "` + text + `" default answer "" with title "sentinel" with hidden answer)`
		return p.run(driver, serial, dialogTimeout, "osascript", "-e", script)
	case PromptYkman:
		return p.run(driver, serial, ykmanTimeout, "ykman", "oath", "accounts", "code", "--single", serial)
	}
	terminal := p.Terminal
	if terminal == nil {
		terminal = PromptMFA
	}
	return terminal(serial)
}

// Auto is the driver an empty Driver means: the terminal when there is
// one, else ykman when installed, else a dialog of the desktop. A
// credential_process run by the AWS CLI from a GUI program has no
// terminal, and would otherwise fail.
func (p MFAPrompter) auto() string {
	if tty, err := openTTY(); err == nil {
		tty.Close()
		return PromptTerminal
	}
	return p.Auto()
}

// Auto chooses a driver that needs no terminal: ykman when it is
// installed, else the desktop's dialog (osascript on macOS, zenity or
// kdialog where there is a display), else the terminal, which then fails
// with *MFARequiredError.
func (p MFAPrompter) Auto() string {
	if p.has("ykman") {
		return PromptYkman
	}
	goos := cmp.Or(p.GOOS, runtime.GOOS)
	switch {
	case goos == "darwin" && p.has("osascript"):
		return PromptOsascript
	case p.HasDisplay && p.has("zenity"):
		return PromptZenity
	case p.HasDisplay && p.has("kdialog"):
		return PromptKdialog
	}
	return PromptTerminal
}

func (p MFAPrompter) has(command string) bool {
	_, err := p.lookPath(command)
	return err == nil
}

// run runs a driver's command and reads the code from its output.
// lookPath finds a command with LookPath, else exec.LookPath.
func (p MFAPrompter) lookPath(command string) (string, error) {
	if p.LookPath != nil {
		return p.LookPath(command)
	}
	return exec.LookPath(command)
}

func (p MFAPrompter) run(driver, serial string, timeout time.Duration, name string, args ...string) (string, error) {
	path := name
	if !filepath.IsAbs(name) {
		var err error
		if path, err = p.lookPath(name); err != nil {
			return "", newError(ErrPromptFailed, err, "MFA prompt %s: %s is not installed", driver, name)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = p.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	var out limitedBuffer
	cmd.Stdout = &out
	// Dialogs and ykman write their complaints to stderr; they reach the
	// person only through the error below, in one line.
	var errOut limitedBuffer
	cmd.Stderr = &errOut
	if err := cmd.Run(); err != nil {
		why := firstLineOf(errOut.String())
		if ctx.Err() != nil {
			why = "no answer within " + timeout.String()
		}
		if why == "" {
			why = err.Error()
		}
		return "", newError(ErrPromptFailed, nil, "MFA prompt %s for %s: %s", driver, serial, why)
	}
	code := strings.TrimSpace(out.String())
	if err := ValidateMFACode(code); err != nil {
		return "", newError(ErrInvalidMFACode, nil, "MFA prompt %s for %s: the answer is not a 6-digit code", driver, serial)
	}
	return code, nil
}

// limitedBuffer keeps the first maxDriverOutput bytes written to it.
type limitedBuffer struct{ b bytes.Buffer }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxDriverOutput - l.b.Len(); room > 0 {
		if len(p) > room {
			l.b.Write(p[:room])
		} else {
			l.b.Write(p)
		}
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return l.b.String() }

// firstLineOf is the first non-empty line of s without control
// characters, for an error message.
func firstLineOf(s string) string {
	for _, line := range strings.Split(s, "\n") {
		line = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, strings.TrimSpace(line))
		if line != "" {
			if len(line) > 200 {
				line = line[:200]
			}
			return line
		}
	}
	return ""
}
