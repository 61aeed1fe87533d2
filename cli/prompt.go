package cli

import (
	"cmp"
	"os"

	"github.com/sentinel-cli/sentinel/vault"
)

// mfaPrompt is the broker's MFA prompt: the driver that --prompt,
// $SENTINEL_PROMPT, $AWS_VAULT_PROMPT or prompt: in the config names, and
// the mfa_process of the profile whose mfa_serial is asked for. Nothing is
// looked up until a code is needed, so the warm path is unchanged.
func (g *Globals) mfaPrompt(profiles *vault.ConfigFile) func(serial string) (string, error) {
	driver := cmp.Or(g.Prompt, os.Getenv("AWS_VAULT_PROMPT"))
	hasDisplay := os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
	return func(serial string) (string, error) {
		if driver == "" {
			if cfg, err := g.Config(); err == nil {
				driver = cfg.Prompt
			}
		}
		if err := vault.CheckPromptDriver(driver); err != nil {
			return "", withHint(err, "choose it with --prompt, $SENTINEL_PROMPT or prompt: in the config")
		}
		p := vault.MFAPrompter{
			Driver:     driver,
			Process:    mfaProcessOf(profiles, serial),
			HasDisplay: hasDisplay,
			// The drivers get no credentials and no keyring secret.
			Env: inheritedEnv(os.Environ(), removedEnv, environment().Passphrase),
		}
		return p.Prompt(serial)
	}
}

// mfaProcessOf is the mfa_process of the first profile (by name) whose
// mfa_serial is serial and that has one.
func mfaProcessOf(profiles *vault.ConfigFile, serial string) string {
	if profiles == nil {
		return ""
	}
	for _, name := range profiles.ProfileNames() {
		if p, _ := profiles.Profile(name); p.MFASerial == serial && p.MFAProcess != "" {
			return p.MFAProcess
		}
	}
	return ""
}
