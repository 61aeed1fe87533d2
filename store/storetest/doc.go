// Package storetest is the contract suite every request.Store and
// breakglass.Store backend must pass. A backend's test calls
// TestRequestStore and TestBreakglassStore with a constructor; the suite
// uses only the interfaces, so the same checks run against store/local and
// store/dynamodb. The contract itself is written down in package store.
//
// The constructor may return the same store every time: each subtest uses
// its own IDs, users and profiles (with a random per-run prefix), so a
// shared table or file can be reused across subtests and runs.
package storetest
