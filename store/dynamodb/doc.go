// Package dynamodb keeps access requests, break-glass events and
// server-mode sessions in Amazon DynamoDB, so that a team shares one record
// of who asked, who approved, who broke the glass and who holds a session.
// It implements request.Store, breakglass.Store and session.Store and
// passes the contract suite in store/storetest.
//
// One backend (backend.go) implements record.Backend once for every kind:
// a conditional PutItem to create, a consistent GetItem, a PutItem
// conditioned on the stored version and status to change, and a Query on
// a global secondary index to list; record.Generic does the rest. Each
// kind brings its declaration: its table, the GSI of each of its indexes
// and its attribute codec (codec.go, a field table both directions read),
// plus its own operations: request ID prefixes, the break-glass lock and
// quota, session touches and blocks.
//
// Three tables, each keyed by the string attribute id, hold the data.
// Every listing is a Query on a global secondary index, newest first; the
// package never scans a table. Index reads are eventually consistent on
// real DynamoDB, so a listing may miss a write made a moment before; Get
// reads consistently.
//
// The rule "one active break-glass event per person and profile" is kept
// by a lock item in the break-glass table, written in the same transaction
// as the event and deleted in the same transaction that moves the event
// out of active. Lock, quota, block and anchor items carry no index
// attributes and no record ID, so no listing or Get sees them.
//
// Items expire through DynamoDB's time to live on the attribute ttl, set to
// the end of the item's business life (the kind's End) plus an audit
// retention period, so DynamoDB never removes anything that still matters.
//
// InitTables creates the tables, their indexes and the time to live
// setting, and is safe to run again.
package dynamodb
