// Package person answers one question for all of sentinel: which person is
// behind a caller ARN. Limits, locks, quotas, blocks, ownership ("mine")
// and approver counting are keyed by the person key this package returns,
// never by a name the caller could choose.
//
// It imports only the standard library, so that the record kinds
// (request, breakglass, session) and the stores can use it.
package person
