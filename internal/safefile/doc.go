// Package safefile opens the files sentinel trusts (its config, the policy,
// the decision log, the embedded store, the file keyring) so that nobody
// else can have put words in them: the final path component is never
// followed when it is a symbolic link, and a file or directory owned by
// anyone but the current user or root, or writable by group or others, is
// refused with a typed *Error that says which of these it was. The cli
// turns that into the command that fixes it.
//
// Only the last component of a path is checked: parents such as /tmp are
// shared by design, and a person who can rename entries in their own home
// directory is the user themselves. For the same reason a directory that
// others may write is accepted when it is sticky, as /tmp is.
package safefile
