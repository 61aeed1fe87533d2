package vault

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// fakeTTY is a terminal stand-in: what is typed, and what was printed.
type fakeTTY struct {
	in  io.Reader
	out bytes.Buffer
}

func (f *fakeTTY) Read(p []byte) (int, error)  { return f.in.Read(p) }
func (f *fakeTTY) Write(p []byte) (int, error) { return f.out.Write(p) }

func TestPromptMFA(t *testing.T) {
	tests := []struct {
		typed string
		want  string
		errIs error
	}{
		{"123456\n", "123456", nil},
		{" 123456 \r\n", "123456", nil},
		{"123456", "123456", nil},
		{"12345\n", "", ErrInvalidMFACode},
		{"1234567\n", "", ErrInvalidMFACode},
		{"12345a\n", "", ErrInvalidMFACode},
		{"١٢٣٤٥٦\n", "", ErrInvalidMFACode},
		{"", "", ErrMFARequired},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			tty := &fakeTTY{in: strings.NewReader(tt.typed)}
			got, err := promptMFA(tty, testSerial)
			if tt.errIs != nil {
				if !errors.Is(err, tt.errIs) {
					t.Fatalf("err = %v, want %v", err, tt.errIs)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("promptMFA = %q, %v; want %q", got, err, tt.want)
			}
			if p := tty.out.String(); p != "Enter MFA code for "+testSerial+": " {
				t.Errorf("prompt = %q", p)
			}
		})
	}
}

func TestPromptMFANoTerminal(t *testing.T) {
	// Tests run without a controlling terminal (go test's children have
	// none under CI); when one exists this case cannot be checked here.
	if tty, err := openTTY(); err == nil {
		tty.Close()
		t.Skip("a controlling terminal is present")
	}
	_, err := PromptMFA(testSerial)
	var mfa *MFARequiredError
	if !errors.Is(err, ErrMFARequired) || !errors.As(err, &mfa) || mfa.Serial != testSerial || err.Error() != "MFA code required for "+testSerial {
		t.Errorf("err = %v", err)
	}
}

func TestReadLineStopsAtNewline(t *testing.T) {
	r := strings.NewReader("AKIAFIRST\nsecond-line\n")
	first, err := readLine(r)
	if err != nil || first != "AKIAFIRST" {
		t.Fatalf("first = %q, %v", first, err)
	}
	// Nothing past the first newline was consumed.
	second, err := readLine(r)
	if err != nil || second != "second-line" {
		t.Fatalf("second = %q, %v", second, err)
	}
	if _, err := readLine(r); err == nil {
		t.Error("read past the end")
	}
	if _, err := readLine(strings.NewReader(strings.Repeat("x", maxLineLength+1))); err == nil {
		t.Error("an endless line was accepted")
	}
}

func TestReadAnswer(t *testing.T) {
	got, err := readAnswer(strings.NewReader("y\n"), "Sure? ")
	if err != nil || got != "y" {
		t.Fatalf("readAnswer = %q, %v", got, err)
	}
	_, err = readAnswer(strings.NewReader(""), "Sure? ")
	if !errors.Is(err, ErrNoInput) || !strings.Contains(err.Error(), `"Sure?"`) {
		t.Errorf("empty input: err = %v", err)
	}
}
