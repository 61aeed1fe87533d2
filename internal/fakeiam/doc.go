// Package fakeiam is a stand-in for the parts of AWS IAM that key rotation
// uses (ListAccessKeys, CreateAccessKey, DeleteAccessKey), speaking the
// IAM query protocol on loopback so that the real SDK client talks to it.
//
// It shares its idea of who owns which key with the STS stand-in in
// internal/fakests: callers are authenticated through it, a created key
// becomes usable with STS only after a configurable delay (IAM's eventual
// consistency), and a deleted key stops working with STS at once. As in
// AWS, session credentials may call IAM only when issued with MFA, and a
// user has at most two access keys.
//
// moto's server (installed on the test machines) also serves IAM, but its
// STS does not check MFA and its keys would not be known to the STS
// stand-in the rest of the tests use; this stand-in keeps one source of
// truth.
package fakeiam
