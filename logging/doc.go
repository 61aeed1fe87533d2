// Package logging keeps sentinel's decision log: one JSON object per line
// (JSON Lines) for every credential decision and every approval or
// break-glass lifecycle event, appended to a local file.
//
// The file is safe to share between processes: each entry is written with a
// single write on an O_APPEND descriptor while an advisory exclusive lock
// (flock) is held, so lines never interleave or tear. The file is created
// 0600 in a directory created 0700. A log that someone else may have
// written (a symbolic link, a file of another user, a file or directory
// that group or others can write) is refused, not appended to.
//
// The log is tamper-evident, not tamper-proof. Every line carries the SHA-256
// hash of its own bytes and the hash of the line before it (prev_hash), plus
// a sequence number (seq). Editing, removing, inserting or reordering lines
// breaks the chain, and Verify names the first broken line. Someone who can
// rewrite the whole file can also recompute the whole chain, so a deployment
// that must detect that should copy Report.LastHash somewhere the writer
// cannot reach.
//
// The hash is computed over the raw bytes of the line, not over a
// re-marshalled value, so entries written by a newer sentinel with fields
// this one does not know still verify. For a line L:
//
//	B    = L without its final `,"hash":"<hex>"}`, plus "}"
//	hash = hex(sha256(B))
//
// Nothing secret is ever logged: see Entry.
package logging
