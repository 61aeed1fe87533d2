package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const mfaSerial = "arn:aws:iam::111122223333:mfa/alice"

// mfaPerson is alice with an MFA device and a profile that needs it.
func mfaPerson(t *testing.T, extraConfig string) (*world, *person) {
	t.Helper()
	w := newWorld(t)
	w.setPolicy(strings.Replace(devPolicy, "profiles: [dev, plain]", "profiles: [dev, plain, devmfa]", 1))
	alice := w.newPerson("alice")
	w.sts.AddMFA(alice.keyID, mfaSerial, "123456")
	alice.writeFile(".aws/config", defaultAWSConfig+"\n[profile devmfa]\nsource_profile = default\nrole_arn = arn:aws:iam::111122223333:role/dev\nmfa_serial = "+mfaSerial+"\n"+extraConfig)
	return w, alice
}

// stubCommands puts stub executables named names first on the person's
// PATH; each records its arguments, one a line, in a file of its own and
// prints output.
func stubCommands(t *testing.T, p *person, output string, names ...string) (argsOf func(name string) string) {
	t.Helper()
	bin := t.TempDir()
	for _, n := range names {
		script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + filepath.Join(bin, n+".args") + "\necho " + output + "\n"
		if err := os.WriteFile(filepath.Join(bin, n), []byte(script), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	p.extra["PATH"] = bin + ":" + os.Getenv("PATH")
	return func(name string) string {
		b, err := os.ReadFile(filepath.Join(bin, name+".args"))
		if err != nil {
			return ""
		}
		return string(b)
	}
}

func TestCredentialsWithoutATerminalUseYkman(t *testing.T) {
	w, alice := mfaPerson(t, "")
	argsOf := stubCommands(t, alice, "123456", "ykman")
	alice.mustRun("credentials", "devmfa")
	if got, want := argsOf("ykman"), "oath\naccounts\ncode\n--single\n"+mfaSerial+"\n"; got != want {
		t.Errorf("ykman arguments:\n%s\nwant:\n%s", got, want)
	}
	calls := w.sts.CallsOf("GetSessionToken")
	if len(calls) != 1 || calls[0].Params.Get("TokenCode") != "123456" || calls[0].Params.Get("SerialNumber") != mfaSerial {
		t.Errorf("GetSessionToken calls: %+v", calls)
	}
}

func TestPromptDriverChosenByFlagEnvironmentAndConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		config  string
		driver  string
		wantArg string
	}{
		{"--prompt", nil, []string{"--prompt", "zenity"}, "", "zenity", "--entry"},
		{"SENTINEL_PROMPT", map[string]string{"SENTINEL_PROMPT": "kdialog", "AWS_VAULT_PROMPT": "zenity"}, nil, "", "kdialog", "--inputbox"},
		{"AWS_VAULT_PROMPT", map[string]string{"AWS_VAULT_PROMPT": "osascript"}, nil, "", "osascript", "-e"},
		{"config", nil, nil, "prompt: zenity\n", "zenity", "--entry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, alice := mfaPerson(t, "")
			argsOf := stubCommands(t, alice, "123456", "zenity", "kdialog", "osascript", "ykman")
			for k, v := range tt.env {
				alice.extra[k] = v
			}
			if tt.config != "" {
				alice.writeFile(".config/sentinel/config.yaml", "policy: "+alice.w.policy+"\n"+alice.w.storeYAML+tt.config)
			}
			alice.mustRun(append(tt.args, "credentials", "devmfa")...)
			got := argsOf(tt.driver)
			if !strings.HasPrefix(got, tt.wantArg+"\n") && !strings.Contains(got, "\n"+tt.wantArg+"\n") || !strings.Contains(got, mfaSerial) {
				t.Errorf("%s arguments:\n%s", tt.driver, got)
			}
			if argsOf("ykman") != "" {
				t.Errorf("ykman ran although %s was chosen", tt.driver)
			}
		})
	}
	_, alice := mfaPerson(t, "")
	alice.mustFail(`unknown MFA prompt "pigeon" \(choose one of terminal, zenity, kdialog, osascript, ykman\)`, "--prompt", "pigeon", "credentials", "devmfa")
}

func TestMFAProcessPrintsTheCode(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "code.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nenv > "+filepath.Join(dir, "env")+"\necho 123456\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	w, alice := mfaPerson(t, "mfa_process = "+script+"\n")
	alice.mustRun("credentials", "devmfa")
	if calls := w.sts.CallsOf("GetSessionToken"); len(calls) != 1 || calls[0].Params.Get("TokenCode") != "123456" {
		t.Errorf("GetSessionToken calls: %+v", calls)
	}
	env, err := os.ReadFile(filepath.Join(dir, "env"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(env), passphrase) || strings.Contains(string(env), "SENTINEL_FILE_PASSPHRASE") || strings.Contains(string(env), "AWS_SECRET_ACCESS_KEY") {
		t.Errorf("mfa_process got secrets:\n%s", env)
	}
	// A process that prints no code fails in one clear line.
	alice.writeFile(".aws/config", defaultAWSConfig+"\n[profile devmfa]\nsource_profile = default\nrole_arn = arn:aws:iam::111122223333:role/dev\nmfa_serial = "+mfaSerial+"\nmfa_process = echo nope\n")
	alice.mustRun("clear")
	alice.mustFail(`MFA prompt mfa_process for `+mfaSerial+`: the answer is not a 6-digit code`, "credentials", "devmfa")
}
