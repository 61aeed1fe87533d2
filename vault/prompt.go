package vault

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// maxLineLength bounds what a prompt reads, so that a stream with no newline
// cannot make sentinel read without end.
const maxLineLength = 4096

// PromptMFA asks for the MFA code of device serial on the controlling
// terminal (/dev/tty), not on stdin/stdout: under credential_process the AWS
// CLI captures stdout. Without a terminal it fails with *MFARequiredError.
// The answer must be six digits.
func PromptMFA(serial string) (string, error) {
	tty, err := openTTY()
	if err != nil {
		return "", &MFARequiredError{Serial: serial}
	}
	defer tty.Close()
	return promptMFA(tty, serial)
}

// promptMFA is PromptMFA on any terminal-like stream, for tests.
func promptMFA(tty io.ReadWriter, serial string) (string, error) {
	fmt.Fprintf(tty, "Enter MFA code for %s: ", serial)
	line, err := readLine(tty)
	if err != nil {
		return "", &MFARequiredError{Serial: serial, Err: err}
	}
	if err := ValidateMFACode(line); err != nil {
		return "", err
	}
	return line, nil
}

// ValidateMFACode checks that code is six digits, as TOTP devices produce.
func ValidateMFACode(code string) error {
	if len(code) != 6 {
		return ErrInvalidMFACode
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return ErrInvalidMFACode
		}
	}
	return nil
}

// PromptSecret asks for a secret. When stdin is a terminal the prompt goes
// to stderr and the answer is read without echo; otherwise one line is read
// from stdin, so that scripts can pipe the answer in.
func PromptSecret(prompt string) (string, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return readAnswer(os.Stdin, prompt)
	}
	fmt.Fprintf(os.Stderr, "%s", prompt)
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", strings.TrimSpace(prompt), err)
	}
	return strings.TrimSpace(string(b)), nil
}

// PromptLine asks for a line of text: the prompt goes to stderr (stdout may
// be a document) and the answer is read from stdin.
func PromptLine(prompt string) (string, error) {
	if term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Fprintf(os.Stderr, "%s", prompt)
	}
	return readAnswer(os.Stdin, prompt)
}

// readAnswer reads one line answering prompt from r.
func readAnswer(r io.Reader, prompt string) (string, error) {
	line, err := readLine(r)
	if err != nil {
		return "", newError(ErrNoInput, err, "no answer to %q: %v", strings.TrimSpace(prompt), err)
	}
	return line, nil
}

// readLine reads up to a newline, one byte at a time so that nothing after
// the line is consumed: the next prompt reads the next line of a pipe. The
// line is returned without surrounding spaces or the line ending.
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				return strings.TrimSpace(b.String()), nil
			}
			if b.Len() >= maxLineLength {
				return "", errors.New("line too long")
			}
			b.WriteByte(buf[0])
		}
		if errors.Is(err, io.EOF) {
			if b.Len() == 0 {
				return "", io.ErrUnexpectedEOF
			}
			return strings.TrimSpace(b.String()), nil
		}
		if err != nil {
			return "", err
		}
	}
}
