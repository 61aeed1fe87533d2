package buildtags

import (
	_ "embed"
	"strings"
)

// tagsFile is the tag set, space-separated on one line. Why each tag:
//   - lambda.norpc: leaves out the RPC mode of aws-lambda-go that only the
//     retired go1.x runtime used (provided.al2023 talks to the Runtime API);
//   - keyring_no1password: leaves out the keyring's 1Password backends and
//     their trees (onepassword-sdk-go with its WebAssembly runtime,
//     connect-sdk-go with jaeger): sentinel never uses them, and they stop
//     CGO_ENABLED=0 and darwin cross builds;
//   - keyring_noprotonpass: Proton Pass is experimental in the keyring, on
//     an unofficial, undocumented API, and reads its token from the
//     environment inside the library;
//   - keyring_nopassage: passage shares pass's settings in the keyring
//     (directory, command), so an aws-vault pass set-up could reach it by
//     surprise, and sentinel documents no passage set-up.
//
//go:embed tags.txt
var tagsFile string

// List is the tags, in the file's order.
func List() []string { return strings.Fields(tagsFile) }

// Flag is the value of go build's -tags flag: the tags joined by commas.
func Flag() string { return strings.Join(List(), ",") }
