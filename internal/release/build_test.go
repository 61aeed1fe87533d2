package release

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/internal/buildtags"
)

// root is the repository root, two levels up from this package.
func root(t *testing.T) string {
	t.Helper()
	r, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// goBuild builds sentinel with the project's tag set, as make build does,
// for GOOS/GOARCH with cgo as given.
func goBuild(t *testing.T, goos, goarch, cgo, out string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-trimpath", "-tags", buildtags.Flag(), "-ldflags", "-s -w -buildid=", "-o", out, ".")
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED="+cgo)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=%s GOARCH=%s CGO_ENABLED=%s go build: %v\n%s", goos, goarch, cgo, err, msg)
	}
}

// TestCrossBuildWithoutCgo: every release target builds with
// CGO_ENABLED=0, which the 1Password backends of the keyring used to stop
// (and darwin could not be cross-built at all).
func TestCrossBuildWithoutCgo(t *testing.T) {
	for _, target := range []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"} {
		goos, goarch, _ := strings.Cut(target, "/")
		t.Run(goos+"_"+goarch, func(t *testing.T) {
			goBuild(t, goos, goarch, "0", os.DevNull)
		})
	}
}

// TestLinuxBinaryModulesAndSize: the linux/amd64 binary make build
// writes holds none of the modules the keyring's 1Password backends pull in
// and stays under 28,000,000 bytes (41 MB with them).
func TestLinuxBinaryModulesAndSize(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "sentinel")
	cgo := "0"
	if os.Getenv("CGO_ENABLED") != "0" && strings.HasPrefix(runtimeTarget(t), "linux/amd64") {
		cgo = "1" // as make build on this machine
	}
	goBuild(t, "linux", "amd64", cgo, bin)
	info, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() > 28_000_000 {
		t.Errorf("linux/amd64 binary is %d bytes, want at most 28,000,000", info.Size())
	}
	out, err := exec.Command("go", "version", "-m", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "github.com/byteness/keyring") {
		t.Fatalf("go version -m lists no keyring module; is this the sentinel binary?\n%s", out)
	}
	// secret-service and kwallet speak D-Bus.
	if !strings.Contains(string(out), "github.com/godbus/dbus/v5") {
		t.Errorf("go version -m lists no D-Bus module: the secret-service and kwallet backends are missing\n%s", out)
	}
	for _, unwanted := range []string{"onepassword", "wazero", "extism", "jaeger"} {
		for _, line := range strings.Split(string(out), "\n") {
			if strings.Contains(strings.ToLower(line), unwanted) {
				t.Errorf("go version -m lists %s: %s", unwanted, strings.TrimSpace(line))
			}
		}
	}
}

// runtimeTarget is the host's GOOS/GOARCH as the go command sees it.
func runtimeTarget(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOHOSTOS", "GOHOSTARCH").Output()
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(out))
	return f[0] + "/" + f[1]
}
