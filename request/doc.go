// Package request models an access request: a person asks for credentials
// on a profile whose policy rule says require_approval (or deny), and one or
// more authorised colleagues approve or deny it.
//
// The package holds the model, its validation and its state machine
// (pending -> approved | denied | cancelled | expired; nothing leaves a final
// state), and the Store interface that the backends in store/ implement. It
// imports nothing but the standard library.
package request
