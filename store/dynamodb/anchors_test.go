package dynamodb

import (
	"errors"
	"testing"

	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/store/storetest"
)

// TestTeamAnchorsContract runs the team service's anchor contract on
// DynamoDB Local, with only the calls the deployment grants.
func TestTeamAnchorsContract(t *testing.T) {
	rec := &callRecorder{}
	s := newInitializedStore(t, func(o *Options) { o.apiOptions = append(o.apiOptions, rec.middleware()) })
	storetest.TestTeamAnchors(t, s)
	storetest.TestTeamAnchorLimit(t, s)
	rec.check(t, "PutItem", "GetItem", "TransactWriteItems")
}

// TestAnchorItemsAreNotSessions: anchor items share the sessions table but
// no session call reads them and no index keys them.
func TestAnchorItemsAreNotSessions(t *testing.T) {
	s := newStore(t, nil) // no call reaches DynamoDB
	id := anchorID("arn:aws:iam::1:user/alice", "host:/log")
	if _, err := s.Sessions().Get(t.Context(), id); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Get of an anchor ID: got %v, want ErrNotFound", err)
	}
	for _, idx := range sessionIndexes {
		for _, a := range []string{attrAnchorOwner, attrAnchorLog, attrAnchorFile, attrAnchorSeq, attrAnchorHash, attrAnchorTime} {
			if a == idx.partitionKey || a == idx.sortKey {
				t.Errorf("anchor attribute %s keys index %s", a, idx.name)
			}
		}
	}
	if anchorID("ARN:AWS:IAM::1:USER/ALICE", "host:/log") != id {
		t.Error("anchor IDs differ by ARN case")
	}
	if anchorID("arn:aws:iam::1:user/alice", "host:/log2") == id {
		t.Error("two logs share an anchor ID")
	}
}
