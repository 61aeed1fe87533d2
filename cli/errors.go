package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// ExitError carries an exit code and an optional hint to main. A Silent
// error has already been reported by the command.
type ExitError struct {
	Code   int
	Err    error
	Hint   string
	Silent bool
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// withHint wraps err so that main prints hint on a second line.
func withHint(err error, hint string) error {
	return &ExitError{Code: 1, Err: err, Hint: hint}
}

// hinter is an error that carries advice on what to do about it.
type hinter interface{ Hint() string }

// Report prints err as sentinel's one-line error (plus a hint) and returns
// the process exit code.
func Report(w io.Writer, err error) int {
	code, silent, hint := 1, false, ""
	var ee *ExitError
	if errors.As(err, &ee) {
		silent, hint = ee.Silent || ee.Err == nil, ee.Hint
		if ee.Code != 0 {
			code = ee.Code
		}
	}
	var h hinter
	if hint == "" && errors.As(err, &h) {
		hint = h.Hint()
	}
	if h := unsafeFileHint(err); h != "" {
		hint = h
	}
	if !silent {
		fmt.Fprintf(w, "sentinel: %s\n", oneLine(err.Error()))
	}
	if hint != "" {
		fmt.Fprintf(w, "sentinel: hint: %s\n", oneLine(hint))
	}
	return code
}

// oneLine folds a multi-line message so that every error is one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}
