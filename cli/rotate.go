package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/vault"
)

type rotateCommand struct {
	Profile  string
	MFAToken string
	Wait     time.Duration
}

func configureRotateCommand(app *kingpin.Application, g *Globals) {
	c := &rotateCommand{}
	cmd := app.Command("rotate", "Replace a profile's stored access key with a new one: create, check, store, then delete the old key.")
	cmd.Flag("mfa-token", "MFA code, when the profile has mfa_serial (default: ask).").Short('t').StringVar(&c.MFAToken)
	cmd.Flag("wait", "How long the new key may take to start working (IAM is eventually consistent).").Default(vault.DefaultRotateWait.String()).DurationVar(&c.Wait)
	cmd.Arg("profile", "Profile whose stored keys (or whose source profile's keys) to rotate.").Required().StringVar(&c.Profile)
	cmd.Action(g.action(c.run))
}

func (c *rotateCommand) run(ctx context.Context, g *Globals) error {
	env := environment()
	if env.stsErr != nil {
		return env.stsErr
	}
	// Read once, at start, like the SDK's other AWS_ENDPOINT_URL_* settings.
	iamOpts := vault.IAMOptionsFromEnv(os.Getenv, env.STS)
	profiles, kr, err := g.profilesAndKeyring()
	if err != nil {
		return err
	}
	keys := vault.NewKeyStore(kr)
	chain, err := vault.ResolveChain(profiles, c.Profile, keys.Has)
	if err != nil {
		return err
	}
	base := chain.Base.Name
	prompt := g.mfaPrompt(profiles)
	r := &vault.Rotation{
		Profile:   base,
		Keys:      keys,
		IAM:       vault.NewIAMFactory(iamOpts),
		STS:       g.stsFactory(),
		Region:    env.Region,
		MFASerial: chain.MFASerial,
		Wait:      c.Wait,
		MFACode: func(serial string) (string, error) {
			if c.MFAToken != "" {
				return c.MFAToken, nil
			}
			return prompt(serial)
		},
	}
	r.Region = cmp.Or(r.Region, chain.Region)
	res, err := r.Run(ctx)
	var rerr *vault.RotateError
	if errors.As(err, &rerr) && rerr.Stage != vault.StageDeleteOld {
		return rotateFailure(base, rerr)
	}
	// The new key is stored: what was cached from the old one goes.
	if _, cerr := clearDerived(kr, base); cerr != nil {
		fmt.Fprintf(g.Stderr, "sentinel: warning: clear cached sessions of profile %s: %v\n", base, cerr)
	}
	if err != nil {
		return withHint(fmt.Errorf("rotated profile %s to the new key %s, which is stored and works, but the old key %s still exists in IAM: %w", base, rerr.NewKeyID, rerr.OldKeyID, rerr.Err),
			"delete it yourself: aws iam delete-access-key --access-key-id "+rerr.OldKeyID)
	}
	fmt.Fprintf(g.Stdout, "Rotated the access key of profile %s (%s): %s replaced %s, which is deleted.\n", base, res.User.ARN, res.NewKeyID, res.OldKeyID)
	return nil
}

// rotateFailure says what state a failed rotation left the account in.
func rotateFailure(profile string, e *vault.RotateError) error {
	switch e.Stage {
	case vault.StageTooMany:
		return withHint(fmt.Errorf("cannot rotate profile %s: the IAM user already has two access keys (%s); nothing was changed", profile, strings.Join(e.KeyIDs, ", ")),
			"delete the key that is not "+e.OldKeyID+" (aws iam delete-access-key --access-key-id ...), then rotate again")
	case vault.StageVerify, vault.StageStore:
		what := "the new key never worked with STS"
		if e.Stage == vault.StageStore {
			what = "the keyring did not take the new key"
		}
		state := "it was deleted again"
		hint := "nothing to clean up; try again later"
		if e.NewKeyLeft {
			state = "it could not be deleted and is still in IAM, unused"
			hint = "delete it yourself: aws iam delete-access-key --access-key-id " + e.NewKeyID
		}
		return withHint(fmt.Errorf("rotation of profile %s failed: %s (%v); new key %s: %s; the old key %s is still stored and works", profile, what, e.Err, e.NewKeyID, state, e.OldKeyID), hint)
	}
	if e.OldKeyID == "" {
		return fmt.Errorf("cannot rotate profile %s: %w", profile, e.Err)
	}
	return fmt.Errorf("cannot rotate profile %s, nothing was changed (the key %s is still stored and works): %w", profile, e.OldKeyID, e.Err)
}
