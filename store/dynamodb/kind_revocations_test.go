package dynamodb

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/revocation"
	"github.com/sentinel-cli/sentinel/store/storetest"
)

// TestRevocationStoreContract runs the revocation.Store contract on the
// revocations table that InitTables creates.
func TestRevocationStoreContract(t *testing.T) {
	s := newInitializedStore(t, nil)
	storetest.TestRevocationStore(t, func(*testing.T) revocation.Store { return s.Revocations() })
}

// FuzzDecodeRevocationItem feeds the revocation decoder items of any
// shape: one attribute of a good entry replaced by a fuzzed value. It
// never panics, and whatever decodes round-trips (fuzzOne).
func FuzzDecodeRevocationItem(f *testing.F) {
	f.Add("roles", byte(3), "arn:aws:iam::111122223333:role/*")
	f.Add("value", byte(0), "sentinel.*")
	f.Add("target", byte(0), "older")
	f.Add("expires_at", byte(0), "2026-03-14T15:09:26.535897932Z")
	f.Add("id", byte(0), "lease#arn")
	f.Fuzz(func(t *testing.T, name string, typ byte, value string) {
		s := &Store{retention: codecRetention}
		b := s.Revocations().(*revocationsOnBackend).b
		var v types.AttributeValue
		switch typ % 4 {
		case 0:
			v = &types.AttributeValueMemberS{Value: value}
		case 1:
			v = &types.AttributeValueMemberN{Value: value}
		case 2:
			v = &types.AttributeValueMemberBOOL{Value: value != ""}
		default:
			v = &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: value}}}
		}
		now := time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)
		e, err := revocation.NewSession("0123456789abcdef", revocation.Params{
			Roles: []string{"arn:aws:iam::111122223333:role/dev"}, Now: now, ExpiresAt: now.Add(time.Hour), By: "bob",
		})
		if err != nil {
			t.Fatal(err)
		}
		e.ID = "fedcba9876543210"
		fuzzOne(t, b, e, name, v)
	})
}
