package storecompat

import (
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

// This file is the content of the fixtures in testdata/: the records the
// release-era store code wrote there, as that code read them back. The
// generator (generate_test.go) wrote exactly these, and the compatibility
// test expects exactly these. Every name and ARN is fake (account
// 111122223333), every time fixed.

// t0 is the fixtures' reference time. It lies in the future of the
// release so that no retention (the bbolt purge, DynamoDB's TTL) removes a
// record before the tests read it.
var t0 = time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)

// at is t0 plus m minutes.
func at(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

// now is the clock of the checks: alice's event b2b2…01 and the active
// sessions are live at this time, the others have ended.
var now = at(120)

const account = "111122223333"

func userARN(name string) string { return "arn:aws:iam::" + account + ":user/" + name }
func roleARN(name string) string { return "arn:aws:iam::" + account + ":role/" + name }

// wantRequests covers every request status: pending (with and without a
// first review), approved by a reviewer, auto-approved, denied, cancelled,
// expired, and revoked after approval. Two IDs share their indexed prefix
// (request.IndexedPrefixLen characters), so the ID-prefix index holds a
// partition of two.
var wantRequests = []*request.Request{
	{
		ID: "0b7e21c4d59a3f01", Requester: "alice", RequesterARN: userARN("alice"), Profile: "prod",
		RoleARN: roleARN("prod-admin"), Justification: "deploy hotfix 1.2.3", Duration: time.Hour,
		Status: request.StatusPending, Required: 1,
		// Nanoseconds pin the time encoding of both backends.
		CreatedAt: at(0).Add(123456789), UpdatedAt: at(0).Add(123456789), ExpiresAt: at(24 * 60),
	},
	{
		ID: "0b7e21f8a2c64d02", Requester: "bob", RequesterARN: userARN("bob"), Profile: "prod",
		RoleARN: roleARN("prod-admin"), Justification: "rotate the database credentials", Duration: 2 * time.Hour,
		Status: request.StatusApproved, Required: 1,
		CreatedAt: at(10), UpdatedAt: at(15), DecidedAt: at(15), ExpiresAt: at(10 + 24*60),
		Reviews: []request.Review{{User: "carol", ARN: userARN("carol"), Action: request.ActionApprove, Comment: "ok for the release", At: at(15)}},
		Version: 1,
	},
	{
		ID: "1c93a05e7bd24e03", Requester: "alice", RequesterARN: userARN("alice"), Profile: "staging",
		Justification: "look at the queue depth", Duration: 30 * time.Minute,
		Status: request.StatusDenied, Required: 1,
		CreatedAt: at(20), UpdatedAt: at(25), DecidedAt: at(25), ExpiresAt: at(20 + 24*60),
		Reviews: []request.Review{{User: "bob", ARN: userARN("bob"), Action: request.ActionDeny, Comment: "use staging-readonly", At: at(25)}},
		Version: 1,
	},
	{
		ID: "2d5f8b1a6c0e9f04", Requester: "bob", RequesterARN: userARN("bob"), Profile: "staging",
		Justification: "wrong profile", Duration: time.Hour,
		Status: request.StatusCancelled, Required: 1,
		CreatedAt: at(30), UpdatedAt: at(31), DecidedAt: at(31), ExpiresAt: at(30 + 24*60),
		Version: 1,
	},
	{
		ID: "3e6a9c2b7d1f0a05", Requester: "alice", RequesterARN: userARN("alice"), Profile: "prod",
		Justification: "nobody answered", Duration: time.Hour,
		Status: request.StatusExpired, Required: 1,
		CreatedAt: at(40), UpdatedAt: at(40 + 24*60), ExpiresAt: at(40 + 24*60),
		Version: 1,
	},
	{
		ID: "4f7bad3c8e201b06", Requester: "bob", RequesterARN: userARN("bob"), Profile: "prod",
		RoleARN: roleARN("prod-admin"), Justification: "on-call cover", Duration: 4 * time.Hour,
		Status: request.StatusRevoked, Required: 1,
		CreatedAt: at(50), UpdatedAt: at(70), DecidedAt: at(55), ExpiresAt: at(50 + 24*60),
		Reviews:   []request.Review{{User: "carol", ARN: userARN("carol"), Action: request.ActionApprove, At: at(55)}},
		RevokedBy: "carol", RevokedByARN: userARN("carol"), RevokeReason: "left the on-call rota", RevokedAt: at(70),
		Version: 2,
	},
	{
		ID: "5a8cbe4d9f312c07", Requester: "carol", RequesterARN: userARN("carol"), Profile: "dev",
		RoleARN: roleARN("dev-poweruser"), Justification: "routine work", Duration: time.Hour,
		Status: request.StatusApproved, Required: 0, AutoApproved: true,
		CreatedAt: at(60), UpdatedAt: at(60), DecidedAt: at(60), ExpiresAt: at(60 + 24*60),
	},
	{
		ID: "6b9dcf5ea0423d08", Requester: "alice", RequesterARN: userARN("alice"), Profile: "prod",
		RoleARN: roleARN("prod-admin"), Justification: "schema migration 42", Duration: 3 * time.Hour,
		Status: request.StatusPending, Required: 2,
		CreatedAt: at(80), UpdatedAt: at(85), ExpiresAt: at(80 + 24*60),
		Reviews: []request.Review{{User: "bob", ARN: userARN("bob"), Action: request.ActionApprove, Comment: "first of two", At: at(85)}},
		Version: 1,
	},
}

// wantEvents covers every break-glass status. alice's b2b2…01 holds the
// lock on prod at now; bob's b2b2…04 holds one keyed by its role; alice's
// history (three openings within 24 hours) and bob's recent close on prod
// are the quota state the checks lean on. frank's event predates invoker
// ARNs and is keyed by name.
var wantEvents = []*breakglass.Event{
	{
		ID: "b2b2c0ffee000005", Invoker: "alice", InvokerARN: userARN("alice"), Profile: "prod",
		ReasonCode: breakglass.ReasonIncident, Justification: "pager: api 5xx", Duration: time.Hour,
		Status: breakglass.StatusClosed, OpenedAt: at(-120), ExpiresAt: at(-60),
		ClosedAt: at(-100), ClosedBy: "alice", CloseReason: "fixed by restart", Version: 1,
	},
	{
		ID: "b2b2c0ffee000003", Invoker: "alice", InvokerARN: userARN("alice"), Profile: "staging",
		ReasonCode: breakglass.ReasonSecurity, Justification: "rotate leaked key", Duration: 30 * time.Minute,
		Status: breakglass.StatusExpired, OpenedAt: at(0), ExpiresAt: at(30), Version: 1,
	},
	{
		ID: "b2b2c0ffee000002", Invoker: "bob", InvokerARN: userARN("bob"), Profile: "prod",
		ReasonCode: breakglass.ReasonMaintenance, Justification: "disk full on db-1", Duration: time.Hour,
		Status: breakglass.StatusClosed, OpenedAt: at(30), ExpiresAt: at(90),
		ClosedAt: at(45), ClosedBy: "bob", CloseReason: "done", Version: 1,
	},
	{
		ID: "b2b2c0ffee000006", Invoker: "frank", Profile: "dev",
		ReasonCode: breakglass.ReasonOther, Justification: "legacy record without an ARN", Duration: time.Hour,
		Status: breakglass.StatusClosed, OpenedAt: at(40), ExpiresAt: at(100),
		ClosedAt: at(50), ClosedBy: "carol", CloseReason: "closed for frank", Version: 1,
	},
	{
		ID: "b2b2c0ffee000001", Invoker: "alice", InvokerARN: userARN("alice"), Profile: "prod",
		ReasonCode: breakglass.ReasonIncident, Justification: "database failover", Duration: 2 * time.Hour,
		Status: breakglass.StatusActive, OpenedAt: at(90), ExpiresAt: at(210),
	},
	{
		ID: "b2b2c0ffee000004", Invoker: "bob", InvokerARN: userARN("bob"), Profile: "staging",
		RoleARN: roleARN("staging-breakglass"), ReasonCode: breakglass.ReasonRecovery,
		Justification: "restore from backup", Duration: time.Hour,
		Status: breakglass.StatusActive, OpenedAt: at(100), ExpiresAt: at(160),
	},
}

// wantSessions covers every session status; dave's active session belongs
// to a blocked user.
var wantSessions = []*session.Session{
	{
		ID: "c3c3d00d00000001", User: "alice", UserARN: userARN("alice"), Account: account, Profile: "prod",
		RoleARN: roleARN("prod-admin"), Host: "alice-laptop", PID: 4242, Status: session.StatusActive,
		StartedAt: at(95), LastAccessAt: at(100), RequestCount: 1, ExpiresAt: at(160),
		SourceIdentity: "alice", Version: 1,
	},
	{
		ID: "c3c3d00d00000002", User: "bob", UserARN: userARN("bob"), Account: account, Profile: "prod",
		RoleARN: roleARN("prod-admin"), Status: session.StatusRevoked,
		StartedAt: at(20), LastAccessAt: at(20), ExpiresAt: at(80), SourceIdentity: "bob",
		RevokedBy: "carol", RevokedByARN: userARN("carol"), RevokeReason: "suspicious activity", RevokedAt: at(40),
		Version: 1,
	},
	{
		ID: "c3c3d00d00000003", User: "alice", UserARN: userARN("alice"), Account: account, Profile: "staging",
		Status: session.StatusExpired, StartedAt: at(0), LastAccessAt: at(0), ExpiresAt: at(30), Version: 1,
	},
	{
		ID: "c3c3d00d00000004", User: "bob", UserARN: userARN("bob"), Account: account, Profile: "staging",
		Host: "bob-desktop", PID: 77, Status: session.StatusActive,
		StartedAt: at(105), LastAccessAt: at(105), ExpiresAt: at(165),
	},
	{
		ID: "c3c3d00d00000005", User: "dave", UserARN: userARN("dave"), Account: account, Profile: "prod",
		Status: session.StatusActive, StartedAt: at(60), LastAccessAt: at(60), ExpiresAt: at(180),
	},
}

// wantBlocks: dave is blocked until lifted; erin's week-long block was
// lifted.
var wantBlocks = []session.Block{
	{UserARN: userARN("dave"), By: "carol", ByARN: userARN("carol"), Reason: "laptop reported stolen", At: at(110)},
	{
		UserARN: userARN("erin"), Until: at(50 + 7*24*60), By: "carol", ByARN: userARN("carol"), Reason: "offboarding", At: at(50),
		LiftedBy: "carol", LiftedByARN: userARN("carol"), LiftedAt: at(70),
	},
}

// wantLogAnchor is the head of a decision log anchored in the bbolt file
// (DynamoDB holds no per-machine anchor).
var wantLogAnchor = logging.Head{
	Log: "decisions", File: "decisions.jsonl", Seq: 42,
	Hash: "5f4dcc3b5aa765d61d8327deb882cf995f4dcc3b5aa765d61d8327deb882cf99", Time: at(119),
}

// wantTeamAnchor is alice's head recorded with the team service, on both
// backends.
var wantTeamAnchor = struct {
	owner string
	head  logging.Head
}{userARN("alice"), logging.Head{
	Log: "alice-decisions", File: "decisions.jsonl", Seq: 7,
	Hash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Time: at(118),
}}
