// Package record owns the life every stored record kind shares: requests,
// break-glass events and sessions (and any kind added later).
//
// A kind declares itself once, as data, in a Kind: how to read its ID,
// version, status and times, its status machine, which statuses lapse
// when their time runs out, how to validate it and which indexes list it.
// Store is the one generic implementation of create, get, change and
// list built from that declaration over a Backend, which each storage
// engine (store/local, store/dynamodb) implements once for every kind.
//
// Each kind's own Store interface embeds record's and adds only what is
// truly its own (the break-glass limits, session touch and blocks), the
// way client-go's typed clients embed one generic client.
//
// Change is the one way a stored record changes: read, let the caller
// change a fresh copy, check the status move against the machine and
// validate, write conditionally on the version read, and start again on a
// lost race. Callers therefore never hold a stale copy across a write.
package record
