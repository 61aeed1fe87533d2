// Package teamapi holds what the team vending service and its client must
// agree on word for word: the error codes of the API's error documents.
// The server (package server) writes them and the client (package
// teamclient) reads them; keeping them here means they cannot drift.
package teamapi
