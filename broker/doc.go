// Package broker is sentinel's one decision flow. Every door that hands out
// credentials (sentinel exec, sentinel credentials, and later the server
// mode) calls Broker.Issue with a mode, and renders the Grant it returns:
//
//	profile -> caller identity (STS, cached) -> policy decision
//	  -> [deny / require_approval: approved request? -> active break-glass? -> deny]
//	  -> duration caps -> STS (SourceIdentity stamped) -> decision log -> credentials
//
// The broker also performs the approval and break-glass lifecycle
// operations, so that the policy checks and log entries that go with them
// live in one place.
package broker
