// Package childproc holds what the test-dependency starters (dynamolocal,
// lambdarie) share about the programs they run as children: finding the
// repository root where `npm ci` and `make deps` install them, whether the
// environment demands them, and running one in a process group of its own
// that ends with the test binary.
package childproc
