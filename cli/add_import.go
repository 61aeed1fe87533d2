package cli

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/sentinel-cli/sentinel/vault"
)

// runImport imports a profile's long-lived keys from aws-vault's keyring
// or from the AWS shared credentials file.
func (c *addCommand) runImport(g *Globals) error {
	kr, err := g.openKeyring()
	if err != nil {
		return err
	}
	var keys vault.Credentials
	var from string
	if c.FromAWSVault {
		info, _ := vault.DescribeKeyring(kr)
		home, _ := os.UserHomeDir()
		cfg := vault.AWSVaultKeyringConfig(info.Backend, os.Getenv, home, environment().Passphrase)
		avkr, err := vault.OpenAWSVaultKeyring(cfg)
		if err != nil {
			return withHint(fmt.Errorf("open aws-vault's %s keyring: %w", info.Backend, err),
				"sentinel reads aws-vault's keyring on the backend it uses itself; choose it with --backend")
		}
		if keys, err = vault.ReadAWSVaultKeys(avkr, c.Profile); err != nil {
			return err
		}
		avinfo, _ := vault.DescribeKeyring(avkr)
		from = fmt.Sprintf("aws-vault's keyring (%s, %s)", avinfo.Backend, avinfo.Location)
	} else {
		path := sharedCredentialsPath()
		if keys, err = vault.ReadSharedCredentials(path, c.Profile); err != nil {
			return err
		}
		from = path
	}
	if err := checkAccessKey(keys); err != nil {
		return err
	}
	if err := c.store(kr, keys); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "Imported the keys of profile %s from %s.\n", c.Profile, from)
	warnVolatileKeyring(g, kr, c.Profile)
	if c.FromCredentialsFile {
		return c.offerRemoval(g, from)
	}
	return nil
}

// offerRemoval asks whether to remove the imported keys from the shared
// credentials file: left there, any program can read them. Without a
// terminal nothing is removed.
func (c *addCommand) offerRemoval(g *Globals, path string) error {
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Fprintf(g.Stderr, "sentinel: the keys of profile %s are still in %s (no terminal to ask whether to remove them); remove them yourself\n", c.Profile, path)
		return nil
	}
	answer, err := vault.PromptLine(fmt.Sprintf("Remove the keys of profile %s from %s? [y/N] ", c.Profile, path))
	if err != nil {
		return err
	}
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
		fmt.Fprintf(g.Stderr, "sentinel: the keys of profile %s are still in %s\n", c.Profile, path)
		return nil
	}
	if err := vault.RemoveSharedCredentials(path, c.Profile); err != nil {
		return fmt.Errorf("the keys are imported, but removing them from %s failed: %w", path, err)
	}
	fmt.Fprintf(g.Stdout, "Removed the keys of profile %s from %s.\n", c.Profile, path)
	return nil
}
