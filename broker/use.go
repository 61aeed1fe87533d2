package broker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/vault"
)

// Use says what issued credentials are for beyond the door's mode. The
// decision log records it, so that credentials printed for another tool or
// turned into a console session can be told apart from those handed to a
// child process.
type Use string

const (
	// UseProcess is the default: the credentials go to a child process or
	// to the AWS SDK that asked for them.
	UseProcess Use = ""
	// UseExport prints the credentials for a tool that cannot run a child
	// (`sentinel export`).
	UseExport Use = "export"
	// UseConsole turns the credentials into a console sign-in
	// (`sentinel login`). Console credentials are always fresh (a cached
	// set may have too little time left for a console session) and never
	// cached; a profile without a role signs in with GetFederationToken
	// credentials, since the federation endpoint refuses GetSessionToken
	// credentials.
	UseConsole Use = "console"
)

// useNote is the decision log's note for u.
func useNote(u Use) string {
	switch u {
	case UseExport:
		return "credentials exported (printed for another tool)"
	case UseConsole:
		return "console sign-in: credentials turned into an AWS console session"
	}
	return ""
}

// addNote appends note to a log entry's note.
func addNote(existing, note string) string {
	if existing == "" || note == "" {
		return existing + note
	}
	return existing + "; " + note
}

// consoleCredentials issues fresh credentials for a console sign-in: the
// role chain when the profile has one, else GetFederationToken with the
// base profile's long-lived keys. (A profile that uses IAM Identity Center
// directly signs in with the portal's role credentials, which
// planCredentials has at hand.)
func (b *Broker) consoleCredentials(ctx context.Context, chain *vault.Chain, caller vault.Identity, basis string, d time.Duration, in Input, grant *Grant) (vault.Credentials, error) {
	if len(chain.Roles) > 0 {
		return b.assumeRoles(ctx, chain, caller, basis, d, in, grant)
	}
	keys, err := b.baseKeys(ctx, chain.Base.Name)
	if err != nil {
		return vault.Credentials{}, err
	}
	client, err := b.stsClient(ctx, stsRegion(chain, in), keys)
	if err != nil {
		return vault.Credentials{}, err
	}
	fed, ok := client.(vault.FederationTokenClient)
	if !ok {
		return vault.Credentials{}, errors.New("the STS client cannot get federation tokens")
	}
	label, err := b.personLabel(caller)
	if err != nil {
		return vault.Credentials{}, err
	}
	creds, err := fed.GetFederationToken(ctx, federationName(label), d)
	if err != nil {
		return vault.Credentials{}, fmt.Errorf("get federation token for profile %s: %w", chain.Base.Name, keysOf(err, chain.Base.Name))
	}
	return creds, nil
}

// federationName is the Name of a federated session: the caller's label
// (person.Label), restricted to what STS accepts (2-32 of [\w+=,.@-]).
func federationName(user string) string {
	var b strings.Builder
	for _, r := range user {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("_+=,.@-", r):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 32 {
			break
		}
	}
	name := b.String()
	for len(name) < 2 {
		name += "_"
	}
	return name
}
