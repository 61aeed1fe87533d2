package cli

import (
	"errors"

	"github.com/sentinel-cli/sentinel/vault"
)

// profileHint is the advice for a profile name that is in neither the AWS
// config nor the keyring: the nearest known name, as for a mistyped
// command, else where the names are listed.
func profileHint(err error) string {
	var unknown *vault.UnknownProfileError
	if !errors.As(err, &unknown) || unknown.Name == "" {
		return ""
	}
	if best := nearest(unknown.Name, unknown.Known); best != "" {
		return "did you mean " + best + "?"
	}
	return "sentinel list shows the profiles you have"
}
