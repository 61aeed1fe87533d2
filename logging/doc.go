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
// rewrite the whole file can also recompute the whole chain, and dropping
// the last lines leaves a valid shorter chain; three things answer that:
//
//   - keyed mode (Options.Key): each line also carries an HMAC-SHA256 under
//     a key the log's other writers cannot read (mac.go);
//   - heads (Head): the last seq and hash, checked later with
//     VerifyOptions.Expect;
//   - anchors (Anchorer, AnchorSource): heads recorded elsewhere every
//     Options.AnchorEvery entries, read back by `log verify --anchors`.
//
// Past Options.MaxBytes the file is rotated: renamed with a timestamp, and
// the new file starts with an EventRotated entry that continues the chain
// (rotate.go); VerifyLog and ReadLog follow it back across the files.
//
// The log stays cheap at a million lines: Append reads only the last line
// (from the end of the file) to chain onto it, VerifyLog streams the file
// through a fixed buffer, and ReadLogSince reads backwards from the end to
// the first entry older than the time asked for (read_since.go).
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
