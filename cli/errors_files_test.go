package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/internal/safefile"
)

// TestReportUnsafeFile: a refused file gives one error line and a hint
// with the command that fixes it, even when a general hint was attached.
func TestReportUnsafeFile(t *testing.T) {
	tests := []struct {
		name string
		err  error
		hint string
	}{
		{"symlink", &safefile.Error{Path: "/h/.config/sentinel/policy.yaml", Kind: safefile.KindSymlink, UID: -1},
			"replace the symbolic link /h/.config/sentinel/policy.yaml with the file itself"},
		{"symlinked directory", &safefile.Error{Path: "/h/state", Kind: safefile.KindSymlink, UID: -1, Dir: true},
			"replace the symbolic link /h/state with the directory itself"},
		{"group writable", &safefile.Error{Path: "/h/config.yaml", Kind: safefile.KindWritable, Mode: 0o664, UID: -1},
			"`chmod go-w /h/config.yaml`"},
		{"writable directory", &safefile.Error{Path: "/h/d", Kind: safefile.KindWritable, Mode: 0o777, UID: -1, Dir: true},
			"run `chmod go-w /h/d`"},
		{"foreign owner", &safefile.Error{Path: "/h/decisions.jsonl", Kind: safefile.KindOwner, UID: 4242},
			"`chown $(id -un) /h/decisions.jsonl`"},
		{"path needing quotes", &safefile.Error{Path: "/h/my dir/it's.yaml", Kind: safefile.KindWritable, Mode: 0o666, UID: -1},
			`chmod go-w '/h/my dir/it'\''s.yaml'`},
		{"not a regular file", &safefile.Error{Path: "/h/log", Kind: safefile.KindNotRegular, UID: -1},
			"move /h/log out of the way"},
		{"wrapped with a general hint", withHint(fmt.Errorf("load: %w", &safefile.Error{Path: "/p", Kind: safefile.KindSymlink, UID: -1}), "general advice"),
			"replace the symbolic link /p with the file itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if code := Report(&out, tt.err); code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], "sentinel: ") || !strings.HasPrefix(lines[1], "sentinel: hint: ") {
				t.Fatalf("want an error line and a hint line, got:\n%s", out.String())
			}
			if !strings.Contains(lines[1], tt.hint) {
				t.Errorf("hint %q lacks %q", lines[1], tt.hint)
			}
		})
	}
}

// TestReportOtherErrorsKeepTheirHint: errors that are not about a refused
// file are untouched by unsafeFileHint.
func TestReportOtherErrorsKeepTheirHint(t *testing.T) {
	var out bytes.Buffer
	Report(&out, withHint(fmt.Errorf("no policy: %w", fs.ErrNotExist), "write one"))
	if !strings.HasSuffix(out.String(), "sentinel: hint: write one\n") {
		t.Fatalf("got:\n%s", out.String())
	}
}
