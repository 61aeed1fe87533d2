// Package request models an access request: a person asks for credentials
// on a profile whose policy rule says require_approval (or deny), and one or
// more authorised colleagues approve or deny it.
//
// The package holds the model, its validation and its state machine
// (pending -> approved | denied | cancelled | expired; nothing leaves a final
// state), and the Store interface that the backends in store/ implement.
// What every record kind shares (IDs, text checks, the machine, the store)
// is package record's; this package declares requests to it (Kind) and
// keeps only their own rules: reviews, quorum, revocation.
package request
