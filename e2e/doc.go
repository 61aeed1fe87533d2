// Package e2e runs the built sentinel binary as people would: each test
// person has a temporary HOME, an AWS config, a file keyring and the keys
// of a fake IAM user known to an STS stand-in on loopback. Two people can
// share one approval store, as colleagues on different machines share
// DynamoDB tables.
package e2e
