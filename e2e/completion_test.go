package e2e

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// completeWith runs bash's completion for words (the last one being
// completed, possibly "") as the person, with the script loaded the way
// the docs say, and returns the candidates bash would offer.
func (p *person) completeWith(t *testing.T, words ...string) []string {
	t.Helper()
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = "'" + w + "'"
	}
	script := `source <(sentinel completion bash) || exit 3
COMP_WORDS=(sentinel ` + strings.Join(quoted, " ") + `)
COMP_CWORD=` + strconv.Itoa(len(words)) + `
_sentinel_complete
printf '%s\n' "${COMPREPLY[@]}"`
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = append(p.env(), "PATH="+filepath.Dir(sentinelBin)+":"+pathOf(p.env()))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash completion of %v: %v\n%s", words, err, out)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "" {
			got = append(got, line)
		}
	}
	return got
}

func pathOf(env []string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			return v
		}
	}
	return ""
}

func TestCompletionScriptsLoad(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash here")
	}
	_, alice := newWorldWithAlice(t, devPolicy)

	cmd := exec.Command("bash", "-c", "source <(sentinel completion bash); complete -p sentinel")
	cmd.Env = append(alice.env(), "PATH="+filepath.Dir(sentinelBin)+":"+pathOf(alice.env()))
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "complete -o default -F _sentinel_complete sentinel" {
		t.Fatalf("bash did not register the completion: %v\n%s", err, out)
	}
	// Every script is printed on stdout, and the bash one is valid bash.
	for _, shell := range []string{"bash", "zsh", "fish"} {
		r := alice.mustRun("completion", shell)
		if !strings.Contains(r.stdout, "--completion-bash") || r.stderr != "" {
			t.Errorf("completion %s: %s", shell, r)
		}
		if path, err := exec.LookPath(shell); err == nil && shell != "fish" {
			check := exec.Command(path, "-n", "/dev/stdin")
			check.Stdin = strings.NewReader(r.stdout)
			if out, err := check.CombinedOutput(); err != nil {
				t.Errorf("%s -n rejects the %s script: %v\n%s", shell, shell, err, out)
			}
		}
	}
	alice.mustFail(`enum value must be one of bash,zsh,fish, got 'tcsh'`, "completion", "tcsh")
}

func TestCompletionCandidates(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash here")
	}
	w, alice := newWorldWithAlice(t, approvalsPolicy)
	bob := w.newPerson("bob")
	// A profile that exists only in the keyring.
	alice.addKeys("keyonly", alice.keyID)

	cases := []struct {
		words []string
		want  []string
	}{
		{[]string{"ex"}, []string{"exec", "export"}},
		{[]string{"pol"}, []string{"policy"}},
		{[]string{"policy", "re"}, []string{"replay"}},
		{[]string{"exec", ""}, []string{"audit", "default", "dev", "keyonly", "plain", "prod", "staging"}},
		{[]string{"exec", "d"}, []string{"default", "dev"}},
		{[]string{"credentials", "--profile", "st"}, []string{"staging"}},
		{[]string{"exec", "--ser"}, []string{"--server", "--server-duration"}},
		{[]string{"completion", ""}, []string{"bash", "fish", "zsh"}},
	}
	for _, c := range cases {
		got := alice.completeWith(t, c.words...)
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("sentinel %s<TAB> = %v, want %v", strings.Join(c.words, " "), got, c.want)
		}
	}

	// IDs: the pending request alice filed, offered to bob to approve; an
	// open break-glass event, offered to close.
	id := alice.newRequest("prod")
	if got := bob.completeWith(t, "approve", ""); strings.Join(got, " ") != id {
		t.Errorf("sentinel approve <TAB> = %v, want [%s]", got, id)
	}
	if got := alice.completeWith(t, "requests", "show", id[:3]); strings.Join(got, " ") != id {
		t.Errorf("sentinel requests show %s<TAB> = %v, want [%s]", id[:3], got, id)
	}
	r := alice.mustRun("breakglass", "prod", "--reason-code", "incident", "--justification", justification)
	event := firstLine(r.stdout)
	if got := alice.completeWith(t, "breakglass-close", ""); strings.Join(got, " ") != event {
		t.Errorf("sentinel breakglass-close <TAB> = %v, want [%s]", got, event)
	}
}

// TestCompletionZshAndFish loads the zsh and fish scripts in the real
// shells, where installed (`apt-get install zsh fish`), and asks them for
// candidates.
func TestCompletionZshAndFish(t *testing.T) {
	_, alice := newWorldWithAlice(t, devPolicy)
	env := append(alice.env(), "PATH="+filepath.Dir(sentinelBin)+":"+pathOf(alice.env()))
	run := func(t *testing.T, shell string, args ...string) string {
		t.Helper()
		path, err := exec.LookPath(shell)
		if err != nil {
			t.Skipf("no %s here", shell)
		}
		cmd := exec.Command(path, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", shell, err, out)
		}
		return string(out)
	}
	t.Run("fish", func(t *testing.T) {
		// complete -C asks fish for the candidates of a command line.
		out := run(t, "fish", "-c", `sentinel completion fish | source; complete -C"sentinel ex"; echo ---; complete -C"sentinel exec "`)
		commands, profiles, _ := strings.Cut(out, "---\n")
		if strings.TrimSpace(commands) != "exec\nexport" || !strings.Contains(profiles, "dev\n") || !strings.Contains(profiles, "prod\n") {
			t.Errorf("fish candidates:\n%s", out)
		}
	})
	t.Run("zsh", func(t *testing.T) {
		// Outside a completion widget compadd is replaced by one that
		// prints the candidates it is given.
		out := run(t, "zsh", "-f", "-c", `autoload -U compinit; compinit -u -d "$HOME/.zcompdump"
source <(sentinel completion zsh)
print "registered: $_comps[sentinel]"
compadd() { print -l -- ${(P)2} }
_files() { }
words=(sentinel exec ""); CURRENT=3; _sentinel`)
		if !strings.Contains(out, "registered: _sentinel\n") || !strings.Contains(out, "dev\n") || !strings.Contains(out, "staging\n") {
			t.Errorf("zsh candidates:\n%s", out)
		}
	})
}
