package fakests

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"time"
)

// federationNamePattern is the Name of GetFederationToken: 2-32 of
// [\w+=,.@-].
var federationNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,32}$`)

// Limits of a federation token, in seconds: 15 minutes to 36 hours for an
// IAM user, 12 hours by default.
const (
	maxFederationDuration     = 129600
	defaultFederationTTL      = 43200
	maxFederationPolicyLength = 2048
)

// getFederationTokenResponse is the body of a successful
// GetFederationToken.
type getFederationTokenResponse struct {
	XMLName xml.Name `xml:"GetFederationTokenResponse"`
	Result  struct {
		Credentials   credentialsXML `xml:"Credentials"`
		FederatedUser struct {
			Arn             string `xml:"Arn"`
			FederatedUserID string `xml:"FederatedUserId"`
		} `xml:"FederatedUser"`
		PackedPolicySize int `xml:"PackedPolicySize"`
	} `xml:"GetFederationTokenResult"`
	responseTail
}

// getFederationToken issues federated-user credentials to an IAM user.
// STS refuses it from temporary credentials, as it refuses GetSessionToken.
func (s *Server) getFederationToken(caller principal, form url.Values) (stamper, *apiError) {
	if caller.temporary {
		return nil, &apiError{http.StatusForbidden, "AccessDenied", "Cannot call GetFederationToken with session credentials"}
	}
	name := form.Get("Name")
	if !federationNamePattern.MatchString(name) {
		return nil, validationError("Value at 'name' failed to satisfy constraint: Member must have length between 2 and 32 and satisfy regular expression pattern: [\\w+=,.@-]*")
	}
	if len(form.Get("Policy")) > maxFederationPolicyLength {
		return nil, &apiError{http.StatusBadRequest, "PackedPolicyTooLarge", "Serialized policy or tags are too large"}
	}
	duration, apiErr := parseDuration(form, defaultFederationTTL, maxFederationDuration)
	if apiErr != nil {
		return nil, apiErr
	}
	session := principal{
		arn:       "arn:aws:sts::" + caller.account + ":federated-user/" + name,
		userID:    caller.account + ":" + name,
		account:   caller.account,
		baseUser:  caller.baseUser,
		temporary: true,
		federated: true,
	}
	creds, apiErr := s.issue(session, duration)
	if apiErr != nil {
		return nil, apiErr
	}
	var body getFederationTokenResponse
	body.Result.Credentials = credentialsElement(creds)
	body.Result.FederatedUser.Arn = session.arn
	body.Result.FederatedUser.FederatedUserID = session.userID
	return &body, nil
}

// Session describes credentials the Server issued or knows, for other
// stand-ins (the console federation endpoint, IAM) that must tell who
// presents them.
type Session struct {
	// ARN is who the credentials belong to.
	ARN string
	// Account is the AWS account.
	Account string
	// Kind is "user" (long-lived keys), "session-token", "assumed-role" or
	// "federated-user".
	Kind string
	// MFA is true for credentials issued after an MFA check.
	MFA bool
	// Expiration is when temporary credentials expire.
	Expiration time.Time
}

// Lookup tells who accessKeyID (with sessionToken for temporary
// credentials) belongs to, as an STS call signed with them would be
// authenticated: false for unknown keys, a wrong token or expired
// credentials.
func (s *Server) Lookup(accessKeyID, sessionToken string) (Session, bool) {
	p, apiErr := s.authenticate(accessKeyID, sessionToken)
	if apiErr != nil {
		return Session{}, false
	}
	return sessionOf(p), true
}

// sessionOf describes an authenticated principal.
func sessionOf(p principal) Session {
	kind := "user"
	switch {
	case p.federated:
		kind = "federated-user"
	case p.roleARN != "":
		kind = "assumed-role"
	case p.temporary:
		kind = "session-token"
	}
	return Session{ARN: p.arn, Account: p.account, Kind: kind, MFA: p.mfa, Expiration: p.expiration}
}

// RemoveUser forgets the long-lived access key accessKeyID, as IAM does
// when the key is deleted; credentials issued from it keep working until
// they expire, as in AWS.
func (s *Server) RemoveUser(accessKeyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.keys[accessKeyID]; ok && !p.temporary {
		delete(s.keys, accessKeyID)
	}
}
