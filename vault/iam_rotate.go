package vault

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// RotateStage is the step of a key rotation that failed.
type RotateStage string

// The steps of a rotation, in order.
const (
	// StageCheck: reading the stored keys, signing in (with MFA) or
	// listing the user's keys. Nothing was changed.
	StageCheck RotateStage = "check"
	// StageTooMany: the user already has two keys. Nothing was changed.
	StageTooMany RotateStage = "too-many-keys"
	// StageCreate: IAM did not create the new key. Nothing was changed.
	StageCreate RotateStage = "create"
	// StageVerify: the new key never worked with STS within the wait. It
	// was deleted again (or not: see NewKeyLeft); the old key is stored
	// and works.
	StageVerify RotateStage = "verify"
	// StageStore: the keyring did not take the new key. It was deleted
	// again (or not: see NewKeyLeft); the old key is stored and works.
	StageStore RotateStage = "store"
	// StageDeleteOld: the new key is stored and works, but the old key
	// could not be deleted: it still exists in IAM.
	StageDeleteOld RotateStage = "delete-old"
)

// RotateError says which step of a rotation failed and what state the
// account and the keyring are in. After every failure the keyring holds a
// working key.
type RotateError struct {
	Stage RotateStage
	// OldKeyID is the key that was stored when rotation started.
	OldKeyID string
	// NewKeyID is the key IAM created, if it got that far.
	NewKeyID string
	// NewKeyLeft is true when a new key that was not stored could not be
	// deleted again: it exists in IAM, unused, and the user must delete it.
	NewKeyLeft bool
	// KeyIDs are the user's keys when Stage is StageTooMany.
	KeyIDs []string
	Err    error
}

func (e *RotateError) Error() string {
	switch e.Stage {
	case StageTooMany:
		return fmt.Sprintf("rotate: the IAM user already has two access keys (%v)", e.KeyIDs)
	case StageVerify, StageStore:
		left := "deleted again"
		if e.NewKeyLeft {
			left = "left in IAM, unused"
		}
		return fmt.Sprintf("rotate: %s step failed: %v; the new key %s was %s; the old key %s is still stored and works", e.Stage, e.Err, e.NewKeyID, left, e.OldKeyID)
	case StageDeleteOld:
		return fmt.Sprintf("rotate: the new key %s is stored and works, but the old key %s could not be deleted: %v", e.NewKeyID, e.OldKeyID, e.Err)
	}
	return fmt.Sprintf("rotate: %s step failed, nothing changed: %v", e.Stage, e.Err)
}

func (e *RotateError) Unwrap() error { return e.Err }

// Rotation replaces the long-lived access key of one profile: it creates
// a new key, checks that it works, stores it, and deletes the old one.
type Rotation struct {
	// Profile is the profile whose stored keys are rotated.
	Profile string
	// Keys is the keyring's key store.
	Keys *KeyStore
	// IAM builds IAM clients; STS builds STS clients.
	IAM IAMFactory
	STS STSFactory
	// Region is the STS region ("" means us-east-1).
	Region string
	// MFASerial is the profile's MFA device: IAM takes session
	// credentials only when issued with MFA, so with a device the calls
	// are made with an MFA session of the old key.
	MFASerial string
	// MFACode returns a code for MFASerial, when it is set.
	MFACode func(serial string) (string, error)
	// Wait bounds how long the new key may take to work with STS (IAM is
	// eventually consistent); 0 means DefaultRotateWait.
	Wait time.Duration
	// Poll is the pause between checks; 0 means one second, doubling up
	// to five.
	Poll time.Duration
	// Sleep pauses; nil means a timer that ends with ctx.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultRotateWait is how long a new key may take to work with STS.
const DefaultRotateWait = 60 * time.Second

// mfaSessionDuration is the lifetime of the MFA session that signs the
// IAM calls of a rotation: the shortest STS gives.
const mfaSessionDuration = 15 * time.Minute

// RotateResult is what a rotation did.
type RotateResult struct {
	OldKeyID, NewKeyID string
	// User is the IAM user the keys belong to.
	User Identity
}

// Run performs the rotation. Every error is a *RotateError.
func (r *Rotation) Run(ctx context.Context) (RotateResult, error) {
	old, err := r.Keys.Get(r.Profile)
	if err != nil {
		return RotateResult{}, &RotateError{Stage: StageCheck, Err: err}
	}
	fail := func(stage RotateStage, err error) error {
		return &RotateError{Stage: stage, OldKeyID: old.AccessKeyID, Err: err}
	}
	oldSTS, err := r.STS(ctx, r.Region, old)
	if err != nil {
		return RotateResult{}, fail(StageCheck, err)
	}
	user, err := oldSTS.GetCallerIdentity(ctx)
	if err != nil {
		return RotateResult{}, fail(StageCheck, err)
	}
	signer := old
	if r.MFASerial != "" {
		if r.MFACode == nil {
			return RotateResult{}, fail(StageCheck, &MFARequiredError{Serial: r.MFASerial})
		}
		code, err := r.MFACode(r.MFASerial)
		if err != nil {
			return RotateResult{}, fail(StageCheck, err)
		}
		if signer, err = oldSTS.GetSessionToken(ctx, mfaSessionDuration, r.MFASerial, code); err != nil {
			return RotateResult{}, fail(StageCheck, err)
		}
	}
	client, err := r.IAM(ctx, signer)
	if err != nil {
		return RotateResult{}, fail(StageCheck, err)
	}
	keys, err := client.ListAccessKeys(ctx)
	if err != nil {
		return RotateResult{}, fail(StageCheck, err)
	}
	ids := make([]string, 0, len(keys))
	found := false
	for _, k := range keys {
		ids = append(ids, k.ID)
		found = found || k.ID == old.AccessKeyID
	}
	if !found {
		return RotateResult{}, fail(StageCheck, fmt.Errorf("the stored key %s is not one of the IAM user's keys %v", old.AccessKeyID, ids))
	}
	if len(keys) >= 2 {
		return RotateResult{}, &RotateError{Stage: StageTooMany, OldKeyID: old.AccessKeyID, KeyIDs: ids, Err: ErrTooManyKeys}
	}
	fresh, err := client.CreateAccessKey(ctx)
	if err != nil {
		stage := StageCreate
		if errors.Is(err, ErrTooManyKeys) {
			stage = StageTooMany
		}
		return RotateResult{}, &RotateError{Stage: stage, OldKeyID: old.AccessKeyID, KeyIDs: ids, Err: err}
	}
	undo := func(stage RotateStage, cause error) error {
		e := &RotateError{Stage: stage, OldKeyID: old.AccessKeyID, NewKeyID: fresh.AccessKeyID, Err: cause}
		// A fresh context: the new key must go even when ctx ran out.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultSTSTimeout)
		defer cancel()
		if err := client.DeleteAccessKey(cctx, fresh.AccessKeyID); err != nil {
			e.NewKeyLeft = true
		}
		return e
	}
	if err := r.verify(ctx, fresh, user); err != nil {
		return RotateResult{}, undo(StageVerify, err)
	}
	if err := r.Keys.Set(r.Profile, fresh); err != nil {
		return RotateResult{}, undo(StageStore, err)
	}
	res := RotateResult{OldKeyID: old.AccessKeyID, NewKeyID: fresh.AccessKeyID, User: user}
	if err := client.DeleteAccessKey(ctx, old.AccessKeyID); err != nil {
		return res, &RotateError{Stage: StageDeleteOld, OldKeyID: old.AccessKeyID, NewKeyID: fresh.AccessKeyID, Err: err}
	}
	return res, nil
}

// verify waits until the new key works with STS and belongs to the same
// user, within r.Wait.
func (r *Rotation) verify(ctx context.Context, fresh Credentials, user Identity) error {
	wait := r.Wait
	if wait <= 0 {
		wait = DefaultRotateWait
	}
	pause := r.Poll
	if pause <= 0 {
		pause = time.Second
	}
	sleep := r.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	client, err := r.STS(ctx, r.Region, fresh)
	if err != nil {
		return err
	}
	for {
		id, err := client.GetCallerIdentity(ctx)
		if err == nil {
			if id.ARN != user.ARN {
				return fmt.Errorf("the new key belongs to %s, not %s", id.ARN, user.ARN)
			}
			return nil
		}
		if serr := sleep(ctx, pause); serr != nil {
			return fmt.Errorf("the new key did not work with STS within %s: %w", wait, err)
		}
		if pause *= 2; pause > 5*time.Second {
			pause = 5 * time.Second
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
