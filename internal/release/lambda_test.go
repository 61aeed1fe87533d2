package release

import (
	"archive/zip"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMakeLambdaPackageHoldsOnlyTheFunction: SAM uploads the template's
// CodeUri directory as the function's package, so `make lambda` must leave
// there the static bootstrap and nothing else of its own (deploy.md adds
// serve.yaml and the policy); its zip goes beside it. The recipe's output
// is checked for real: a static ELF (no interpreter) and a zip holding
// bootstrap alone.
func TestMakeLambdaPackageHoldsOnlyTheFunction(t *testing.T) {
	r := root(t)
	tpl, err := os.ReadFile(filepath.Join(r, "deploy", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s+CodeUri:\s*(\S+)`).FindSubmatch(tpl)
	if m == nil {
		t.Fatal("deploy/template.yaml: no CodeUri")
	}
	codeDir := filepath.Clean(filepath.Join("deploy", string(m[1])))

	// What make lambda runs.
	out, err := exec.Command("make", "-s", "-n", "-C", r, "lambda", "ARCH=amd64").CombinedOutput()
	if err != nil {
		t.Fatalf("make -n lambda: %v\n%s", err, out)
	}
	recipe := string(out)
	call := regexp.MustCompile(`build-lambda\.sh\s+amd64\s+(\S+)`).FindStringSubmatch(recipe)
	if call == nil {
		t.Fatalf("make lambda does not run scripts/build-lambda.sh amd64 OUTDIR:\n%s", recipe)
	}
	outDir := filepath.Clean(call[1])
	if outDir != codeDir {
		t.Errorf("make lambda builds into %s, but the template's CodeUri is %s", outDir, codeDir)
	}
	zipPath := filepath.Join(outDir, "sentinel-lambda-amd64.zip")
	if z := regexp.MustCompile(`LAMBDA_ZIP='?([^' ]+)`).FindStringSubmatch(recipe); z != nil {
		zipPath = filepath.Clean(z[1])
	}
	if rel, err := filepath.Rel(codeDir, zipPath); err == nil && !strings.HasPrefix(rel, "..") {
		t.Errorf("make lambda writes its zip %s inside the CodeUri directory %s: SAM would upload it in the package", zipPath, codeDir)
	}

	// The recipe itself, into temporary directories.
	tmp := t.TempDir()
	build := filepath.Join(tmp, "build")
	zipOut := filepath.Join(tmp, "sentinel-lambda-amd64.zip")
	cmd := exec.Command(filepath.Join(r, "scripts", "build-lambda.sh"), "amd64", build)
	cmd.Dir = r
	cmd.Env = append(os.Environ(), "LAMBDA_ZIP="+zipOut)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build-lambda.sh: %v\n%s", err, msg)
	}
	entries, err := os.ReadDir(build)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != "bootstrap" {
		t.Errorf("the package directory holds %v, want [bootstrap]", names)
	}
	f, err := elf.Open(filepath.Join(build, "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		t.Errorf("bootstrap is for %v, want x86-64", f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("bootstrap is dynamically linked (%v): provided.al2023 needs it static", p.Type)
		}
	}
	zr, err := zip.OpenReader(zipOut)
	if err != nil {
		t.Fatalf("the zip: %v", err)
	}
	defer zr.Close()
	var zipped []string
	for _, zf := range zr.File {
		zipped = append(zipped, zf.Name+" "+zf.Mode().Perm().String())
	}
	if len(zipped) != 1 || zipped[0] != "bootstrap -rwxr-xr-x" {
		t.Errorf("the zip holds %v, want bootstrap alone, mode 0755", zipped)
	}
}
