// Package local keeps requests and break-glass events in one embedded bbolt
// file on the user's machine, for people who run sentinel without a shared
// DynamoDB table. It implements request.Store, breakglass.Store and session.Store and passes
// the contract suite in store/storetest.
//
// bbolt takes an exclusive flock on the file while it is open, so the model
// is: open the store, do the command's work, close it. Several sentinel
// processes can then share the file; one that finds it locked waits up to
// Options.LockTimeout and then reports that the store is busy. A long-running
// process (server mode) should set Options.PerOperation, which holds the
// lock only for the length of each operation.
//
// Layout of the file: a bucket of JSON values per kind ("requests",
// "events"), secondary index buckets whose keys sort newest first (see
// keys.go), a "locks" bucket that keeps at most one active break-glass event
// per invoker and profile, and a "meta" bucket with the schema version.
// Every write updates the item, its index entries and its lock in one bbolt
// transaction, so they can never disagree.
package local
