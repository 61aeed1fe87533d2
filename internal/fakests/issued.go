package fakests

import "time"

// IssuedCredentials is what the Server issued one set of temporary
// credentials for: the request context IAM would evaluate a call signed
// with them in. The IAM stand-in (internal/fakeiam) reads it to tell
// whether a role's inline policies deny those credentials.
type IssuedCredentials struct {
	// ARN is the identity GetCallerIdentity reports for the credentials
	// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION for a role session).
	ARN string
	// RoleARN is the role of an assumed-role session, "" otherwise.
	RoleARN string
	// Tags are the session tags passed to AssumeRole, by key as sent. Tags
	// are not carried through role chaining (the stand-in does not
	// implement TransitiveTagKeys).
	Tags map[string]string
	// SourceIdentity is the session's SourceIdentity, set on this hop or
	// inherited through role chaining; "" when there is none.
	SourceIdentity string
	// IssuedAt is aws:TokenIssueTime: when the credentials were issued, by
	// the Server's clock, in whole seconds (UTC).
	IssuedAt time.Time
	// Expiration is when the credentials stop working.
	Expiration time.Time
}

// Issued returns what the Server issued for the temporary credentials of
// accessKeyID (GetSessionToken, AssumeRole or GetFederationToken), expired
// ones included. It reports false for long-lived keys, for sessions
// registered with AddSession (issued elsewhere) and for unknown keys. It
// never returns a secret or a session token.
func (s *Server) Issued(accessKeyID string) (IssuedCredentials, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.keys[accessKeyID]
	if !ok || !p.temporary || p.issuedAt.IsZero() {
		return IssuedCredentials{}, false
	}
	out := IssuedCredentials{
		ARN:            p.arn,
		RoleARN:        p.roleARN,
		SourceIdentity: p.sourceID,
		IssuedAt:       p.issuedAt,
		Expiration:     p.expiration,
	}
	if len(p.tags) > 0 {
		out.Tags = make(map[string]string, len(p.tags))
		for _, t := range p.tags {
			out.Tags[t.key] = t.value
		}
	}
	return out, true
}
