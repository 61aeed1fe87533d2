package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alecthomas/kingpin/v2"
	"github.com/byteness/keyring"

	"github.com/sentinel-cli/sentinel/vault"
)

type addCommand struct {
	Profile             string
	FromEnv             bool
	FromAWSVault        bool
	FromCredentialsFile bool
}

func configureAddCommand(app *kingpin.Application, g *Globals) {
	c := &addCommand{}
	cmd := app.Command("add", "Store a profile's long-lived access keys in the keyring.")
	cmd.Flag("env", "Read the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead of prompting.").BoolVar(&c.FromEnv)
	cmd.Flag("from-aws-vault", "Import the profile's keys from aws-vault's keyring on the same backend.").BoolVar(&c.FromAWSVault)
	cmd.Flag("from-credentials-file", "Import the profile's keys from ~/.aws/credentials ($AWS_SHARED_CREDENTIALS_FILE), then offer to remove them from it.").BoolVar(&c.FromCredentialsFile)
	cmd.Arg("profile", "Profile name.").Required().StringVar(&c.Profile)
	cmd.Action(g.action(c.run))
}

func (c *addCommand) run(ctx context.Context, g *Globals) error {
	n := 0
	for _, set := range []bool{c.FromEnv, c.FromAWSVault, c.FromCredentialsFile} {
		if set {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("choose one of --env, --from-aws-vault and --from-credentials-file")
	}
	if c.FromAWSVault || c.FromCredentialsFile {
		return c.runImport(g)
	}
	var keys vault.Credentials
	if c.FromEnv {
		keys.AccessKeyID = os.Getenv("AWS_ACCESS_KEY_ID")
		keys.SecretAccessKey = os.Getenv("AWS_SECRET_ACCESS_KEY")
		if keys.AccessKeyID == "" || keys.SecretAccessKey == "" {
			return fmt.Errorf("--env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set")
		}
	} else {
		id, err := vault.PromptLine("Enter Access Key ID: ")
		if err != nil {
			return err
		}
		secret, err := vault.PromptSecret("Enter Secret Access Key: ")
		if err != nil {
			return err
		}
		keys.AccessKeyID, keys.SecretAccessKey = strings.TrimSpace(id), strings.TrimSpace(secret)
	}
	if err := checkAccessKey(keys); err != nil {
		return err
	}
	kr, err := g.openKeyring()
	if err != nil {
		return err
	}
	if err := c.store(kr, keys); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "Added keys for profile %s to the keyring.\n", c.Profile)
	warnVolatileKeyring(g, kr, c.Profile)
	noteNoKeychain(g.Stderr, vault.KeychainMissing(), kr)
	return nil
}

// noteNoKeychain tells a macOS user whose sentinel was built without cgo
// (missing is vault.KeychainMissing()) that it has no Keychain backend,
// which backend holds the keys instead, and that the file backend is the
// encrypted one; release and Homebrew builds have the Keychain.
func noteNoKeychain(w io.Writer, missing bool, kr keyring.Keyring) {
	if !missing {
		return
	}
	fmt.Fprintln(w, "sentinel: note: this sentinel was built without cgo and has no macOS Keychain backend")
	if info, ok := vault.DescribeKeyring(kr); ok {
		fmt.Fprintf(w, "sentinel: note: the keys are in the %s backend (%s)\n", info.Backend, info.Location)
	}
	fmt.Fprintln(w, "sentinel: hint: the file backend keeps them in an encrypted file (--backend file, or SENTINEL_BACKEND=file); a release or Homebrew build of sentinel uses the Keychain")
}

// store puts keys in sentinel's keyring under the profile.
func (c *addCommand) store(kr keyring.Keyring, keys vault.Credentials) error {
	if err := vault.NewKeyStore(kr).Set(c.Profile, keys); err != nil {
		return fmt.Errorf("store keys of profile %s: %w", c.Profile, err)
	}
	// New keys may belong to someone else: drop what was issued from the old ones.
	if _, err := clearDerived(kr, c.Profile); err != nil {
		return fmt.Errorf("clear cached sessions of profile %s: %w", c.Profile, err)
	}
	return nil
}

// warnVolatileKeyring warns when keys went into a keyring that forgets
// them at reboot: the kernel keyring, which headless Linux falls back to.
func warnVolatileKeyring(g *Globals, kr keyring.Keyring, profile string) {
	if info, ok := vault.DescribeKeyring(kr); ok && info.Volatile {
		fmt.Fprintf(g.Stderr, "sentinel: warning: the keys are in the %s keyring (%s) and will be gone after a reboot\n", info.Backend, info.Location)
		fmt.Fprintf(g.Stderr, "sentinel: hint: keep them in an encrypted file instead: sentinel --backend file add %s (or set SENTINEL_BACKEND=file)\n", profile)
	}
}

// checkAccessKey rejects what cannot be a long-lived AWS access key pair,
// before anything is written.
func checkAccessKey(k vault.Credentials) error {
	if len(k.AccessKeyID) < 16 || len(k.AccessKeyID) > 128 || strings.ToUpper(k.AccessKeyID) != k.AccessKeyID || strings.ContainsAny(k.AccessKeyID, " \t") {
		return fmt.Errorf("that does not look like an access key ID (16-128 upper-case letters and digits, like AKIA...)")
	}
	if strings.HasPrefix(k.AccessKeyID, "ASIA") {
		return fmt.Errorf("access key ID %s… is temporary (ASIA); store long-lived keys (AKIA...)", k.AccessKeyID[:4])
	}
	if k.SecretAccessKey == "" {
		return fmt.Errorf("the secret access key is empty")
	}
	return nil
}
