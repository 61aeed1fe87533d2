package vault

import (
	"encoding/json"
	"fmt"
	"time"
)

// Credentials are AWS credentials: long-lived access keys (no session token,
// zero Expires) or temporary STS credentials.
//
// Every way of printing a Credentials value (String, GoString, any fmt verb,
// encoding/json) shows only a redacted form, so that a stray debug line or
// error cannot leak the secret; code that must hand the secret on reads the
// fields explicitly.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// Expires is when temporary credentials stop working; zero for
	// long-lived keys.
	Expires time.Time
}

// String shows the first four characters of the access key ID and, for
// temporary credentials, the expiry; never the secret or the token.
func (c Credentials) String() string {
	id := c.AccessKeyID
	if len(id) > 4 {
		id = id[:4]
	}
	s := "Credentials{" + id + "…"
	if c.SessionToken != "" {
		s += " session"
	}
	if !c.Expires.IsZero() {
		s += " expires " + c.Expires.UTC().Format(time.RFC3339)
	}
	return s + "}"
}

// GoString is the redacted form, for %#v.
func (c Credentials) GoString() string { return c.String() }

// Format prints the redacted form for every fmt verb (%v, %+v, %s, %q,
// %x...), so that no verb falls back to printing the fields.
func (c Credentials) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", c.String())
		return
	}
	fmt.Fprint(f, c.String())
}

// MarshalJSON encodes the redacted form, so that logging a structure that
// holds credentials cannot leak them.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(c.String())
}

// Expired reports whether the credentials expire within margin of now.
// Long-lived keys (zero Expires) never expire.
func (c Credentials) Expired(now time.Time, margin time.Duration) bool {
	if c.Expires.IsZero() {
		return false
	}
	return !now.Add(margin).Before(c.Expires)
}

// IsTemporary reports whether these are STS session credentials.
func (c Credentials) IsTemporary() bool { return c.SessionToken != "" }
