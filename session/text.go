package session

import "github.com/sentinel-cli/sentinel/record"

// Limits on the text a session and a block carry, counted in runes.
const (
	// MaxName caps user, profile, account and host names (see
	// record.MaxName).
	MaxName = record.MaxName
	// MaxSourceIdentity is the longest SourceIdentity STS accepts.
	MaxSourceIdentity = 64
	// MaxReason caps a revoke or block reason.
	MaxReason = 1000
)

// trimmedReason checks a reason stored in a session or block: 1-MaxReason
// runes of text that Text would not change, since the methods that set it
// trimmed it.
func trimmedReason(what, reason string) error {
	t, err := record.Text(what, reason, 1, MaxReason)
	if err != nil {
		return err
	}
	return record.Require(t == reason, "%s has leading or trailing spaces", what)
}
