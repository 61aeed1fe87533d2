package vault

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/byteness/keyring"

	"github.com/sentinel-cli/sentinel/internal/fakeiam"
	"github.com/sentinel-cli/sentinel/internal/fakests"
)

// failingSet is a keyring whose writes fail.
type failingSet struct{ keyring.Keyring }

func (failingSet) Set(keyring.Item) error { return errors.New("keyring full") }

func rotationFixture(t *testing.T, kr keyring.Keyring) (*Rotation, *fakeiam.Server, *fakests.Server) {
	t.Helper()
	sts := fakests.New()
	t.Cleanup(sts.Close)
	iam := fakeiam.New(sts)
	t.Cleanup(iam.Close)
	const key, arn = "AKIAALICEEXAMPLE0001", "arn:aws:iam::111122223333:user/alice"
	sts.AddUser(key, arn, "111122223333")
	iam.AddUser(arn, key)
	ks := NewKeyStore(kr)
	data := []byte(`{"access_key_id":"` + key + `","secret_access_key":"fake-secret-for-tests-only"}`)
	if ak, ok := kr.(*keyring.ArrayKeyring); ok {
		_ = ak.Set(keyring.Item{Key: keysItem("default"), Data: data})
	} else if f, ok := kr.(failingSet); ok {
		_ = f.Keyring.Set(keyring.Item{Key: keysItem("default"), Data: data})
	}
	r := &Rotation{
		Profile: "default",
		Keys:    ks,
		IAM:     NewIAMFactory(IAMOptions{Endpoint: iam.URL(), MaxAttempts: 1}),
		STS:     NewSTSFactory(STSOptions{Endpoint: sts.URL(), MaxAttempts: 1}),
		Wait:    2 * time.Second,
		Poll:    10 * time.Millisecond,
	}
	return r, iam, sts
}

func TestRotationStoresTheNewKeyAfterItWorks(t *testing.T) {
	kr := keyring.NewArrayKeyring(nil)
	r, iam, sts := rotationFixture(t, kr)
	iam.SetPropagationDelay(200 * time.Millisecond)
	res, err := r.Run(context.Background())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	stored, err := r.Keys.Get("default")
	if err != nil || stored.AccessKeyID != res.NewKeyID || res.OldKeyID != "AKIAALICEEXAMPLE0001" {
		t.Errorf("stored %s, result %+v, %v", stored.AccessKeyID, res, err)
	}
	if _, ok := sts.Lookup(res.OldKeyID, ""); ok {
		t.Error("the old key still works")
	}
}

func TestRotationStoreFailureDeletesTheNewKey(t *testing.T) {
	for _, deleteFails := range []bool{false, true} {
		kr := failingSet{keyring.NewArrayKeyring(nil)}
		r, iam, _ := rotationFixture(t, kr)
		if deleteFails {
			iam.SetFault("DeleteAccessKey", http.StatusForbidden, "AccessDenied", -1)
		}
		_, err := r.Run(context.Background())
		var re *RotateError
		if !errors.As(err, &re) || re.Stage != StageStore || re.NewKeyLeft != deleteFails || re.NewKeyID == "" {
			t.Fatalf("delete fails %v: %v (%+v)", deleteFails, err, re)
		}
		wantKeys := 1
		if deleteFails {
			wantKeys = 2
		}
		if keys := iam.Keys("arn:aws:iam::111122223333:user/alice"); len(keys) != wantKeys || keys[0] != "AKIAALICEEXAMPLE0001" {
			t.Errorf("delete fails %v: keys %v", deleteFails, keys)
		}
		if old, err := r.Keys.Get("default"); err != nil || old.AccessKeyID != "AKIAALICEEXAMPLE0001" {
			t.Errorf("the old key is no longer stored: %v %v", old, err)
		}
	}
}

func TestRotationRefusesWithTwoKeys(t *testing.T) {
	r, iam, _ := rotationFixture(t, keyring.NewArrayKeyring(nil))
	other := iam.AddKey("arn:aws:iam::111122223333:user/alice")
	_, err := r.Run(context.Background())
	var re *RotateError
	if !errors.As(err, &re) || re.Stage != StageTooMany || !errors.Is(err, ErrTooManyKeys) || len(re.KeyIDs) != 2 || re.KeyIDs[1] != other {
		t.Fatalf("two keys: %v (%+v)", err, re)
	}
	if n := len(iam.CallsOf("CreateAccessKey")); n != 0 {
		t.Errorf("%d CreateAccessKey calls", n)
	}
}
