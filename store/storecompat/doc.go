// Package storecompat checks that the stores read and change data written
// by the previous release: a bbolt file and the raw items of the DynamoDB
// tables, both in testdata/, written once by the release-era store code.
package storecompat
