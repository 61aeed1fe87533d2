// Package dynamodb keeps access requests and break-glass events in Amazon
// DynamoDB, so that a team shares one record of who asked, who approved and
// who broke the glass. It implements request.Store and breakglass.Store and
// passes the contract suite in store/storetest.
//
// Two tables, each keyed by the string attribute id, hold the data. Every
// listing is a Query on a global secondary index, newest first: requests
// by requester, profile or status (sorted by creation time), break-glass
// events by invoker, profile or status (sorted by opening time). The
// package never scans a table. Index reads are eventually consistent on
// real DynamoDB, so a listing may miss a write made a moment before; Get
// reads consistently.
//
// Every state change is a conditional write on the item's version and
// status. The rule "one active break-glass event per invoker and profile"
// is kept by a lock item in the break-glass table, written in the same
// transaction as the event and deleted in the same transaction that moves
// the event out of active. Lock items carry no index attributes, so no
// listing sees them.
//
// Items expire through DynamoDB's time to live on the attribute ttl, set to
// the end of the item's business life (a pending request's expiry, an
// approved request's access window, an event's end) plus an audit
// retention period, so DynamoDB never removes anything that still matters.
//
// InitTables creates the tables, their indexes and the time to live
// setting, and is safe to run again.
package dynamodb
