// Package field holds the checks that the request and break-glass models
// share: random hex IDs, and the shape of the free text and names they
// carry. Its errors are plain sentences; each model wraps them in its own
// ErrInvalid.
package field
