package policy

import (
	"fmt"
	"strings"
)

// LoadError lists every problem found in a policy file. Parse returns one
// whenever the file is not a valid policy.
type LoadError struct {
	// Path is the policy file, as given to Load or Parse.
	Path string
	// Issues are the problems in the order of their lines.
	Issues []Issue
}

// Issue is one problem in a policy file.
type Issue struct {
	// Line is the 1-based line the problem is on.
	Line int
	// Field is the path of the offending field, like
	// "rules[1].conditions.mode"; "" for the document as a whole.
	Field string
	// Message says what is wrong and, where it helps, what is wanted.
	Message string
}

// Error returns the issues one per line, each as "path:line: field: message".
func (e *LoadError) Error() string {
	return strings.Join(e.Lines(), "\n")
}

// Lines returns each issue formatted as "path:line: field: message", for a
// caller that prints them one by one.
func (e *LoadError) Lines() []string {
	lines := make([]string, len(e.Issues))
	for i, is := range e.Issues {
		lines[i] = is.format(e.Path)
	}
	return lines
}

func (is Issue) format(path string) string {
	if is.Field == "" {
		return fmt.Sprintf("%s:%d: %s", path, is.Line, is.Message)
	}
	return fmt.Sprintf("%s:%d: %s: %s", path, is.Line, is.Field, is.Message)
}
