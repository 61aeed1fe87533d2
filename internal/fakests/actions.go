package fakests

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// getCallerIdentity answers who the caller is.
func (s *Server) getCallerIdentity(caller principal) stamper {
	var body getCallerIdentityResponse
	body.Result.Arn = caller.arn
	body.Result.UserID = caller.userID
	body.Result.Account = caller.account
	return &body
}

// getSessionToken issues temporary credentials with the identity of the
// calling user.
func (s *Server) getSessionToken(caller principal, form url.Values) (stamper, *apiError) {
	// STS refuses GetSessionToken from temporary credentials.
	if caller.temporary {
		return nil, &apiError{http.StatusForbidden, "AccessDenied", "Cannot call GetSessionToken with session credentials"}
	}
	duration, apiErr := parseDuration(form, defaultSessionTokenTTL, maxSessionTokenDuration)
	if apiErr != nil {
		return nil, apiErr
	}
	withMFA, apiErr := s.checkMFA(caller, form)
	if apiErr != nil {
		return nil, apiErr
	}
	session := caller
	session.temporary = true
	session.mfa = withMFA
	creds, apiErr := s.issue(session, duration)
	if apiErr != nil {
		return nil, apiErr
	}
	var body getSessionTokenResponse
	body.Result.Credentials = credentialsElement(creds)
	return &body, nil
}

// assumeRole issues temporary credentials for a role session.
func (s *Server) assumeRole(caller principal, form url.Values) (stamper, *apiError) {
	roleARN := form.Get("RoleArn")
	account, roleName, apiErr := parseRoleARN(roleARN)
	if apiErr != nil {
		return nil, apiErr
	}
	sessionName := form.Get("RoleSessionName")
	if !sessionNamePattern.MatchString(sessionName) {
		return nil, validationError("Value at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64 and satisfy regular expression pattern: [\\w+=,.@-]*")
	}
	// Role chaining (a role session assuming a role) is capped at one hour.
	maxDuration := maxAssumeRoleDuration
	if caller.roleARN != "" {
		maxDuration = maxChainedRoleDuration
	}
	duration, apiErr := parseDuration(form, defaultAssumeRoleTTL, maxDuration)
	if apiErr != nil {
		return nil, apiErr
	}
	sourceID := caller.sourceID
	if form.Has("SourceIdentity") {
		requested := form.Get("SourceIdentity")
		if apiErr := checkSourceIdentity(requested); apiErr != nil {
			return nil, apiErr
		}
		// Once set, a SourceIdentity follows the session through role
		// chaining and cannot be changed.
		if sourceID != "" && requested != sourceID {
			return nil, &apiError{http.StatusForbidden, "AccessDenied", "The SourceIdentity of a role session cannot be changed by role chaining."}
		}
		sourceID = requested
	}
	tags, apiErr := parseTags(form)
	if apiErr != nil {
		return nil, apiErr
	}
	if form.Has("ExternalId") && !validExternalID(form.Get("ExternalId")) {
		return nil, validationError("Value at 'externalId' failed to satisfy constraint: Member must have length between 2 and 1224 and satisfy regular expression pattern: [\\w+=,.@:/-]*")
	}
	withMFA, apiErr := s.checkMFA(caller, form)
	if apiErr != nil {
		return nil, apiErr
	}
	if !s.mayAssume(caller, roleARN) {
		return nil, &apiError{http.StatusForbidden, "AccessDenied", "User: " + caller.arn + " is not authorized to perform: sts:AssumeRole on resource: " + roleARN}
	}

	roleID := derivedID("AROA", roleARN)
	session := principal{
		arn:       "arn:aws:sts::" + account + ":assumed-role/" + roleName + "/" + sessionName,
		userID:    roleID + ":" + sessionName,
		account:   account,
		baseUser:  caller.baseUser,
		checkSig:  caller.checkSig,
		temporary: true,
		mfa:       withMFA,
		roleARN:   roleARN,
		sourceID:  sourceID,
		tags:      tags,
	}
	creds, apiErr := s.issue(session, duration)
	if apiErr != nil {
		return nil, apiErr
	}
	var body assumeRoleResponse
	body.Result.Credentials = credentialsElement(creds)
	body.Result.AssumedRoleUser = assumedRoleUserXML{Arn: session.arn, AssumedRoleID: session.userID}
	body.Result.SourceIdentity = sourceID
	return &body, nil
}

// checkMFA applies the MFA rules to a call and reports whether the
// credentials it issues count as MFA-authenticated. A SerialNumber or
// TokenCode that is sent must match the device of the caller's base user.
// When that user has a device and the caller is not already an MFA session,
// both are required, as an IAM policy requiring MFA would.
func (s *Server) checkMFA(caller principal, form url.Values) (bool, *apiError) {
	serial, code := form.Get("SerialNumber"), form.Get("TokenCode")
	if form.Has("SerialNumber") && !serialNumberPattern.MatchString(serial) {
		return false, validationError("Value at 'serialNumber' failed to satisfy constraint: Member must have length between 9 and 256 and satisfy regular expression pattern: [\\w+=/:,.@-]*")
	}
	if form.Has("TokenCode") && !tokenCodePattern.MatchString(code) {
		return false, validationError("Value at 'tokenCode' failed to satisfy constraint: Member must have length 6 and satisfy regular expression pattern: [\\d]*")
	}
	s.mu.Lock()
	device, hasDevice := s.mfa[caller.baseUser]
	s.mu.Unlock()
	if serial == "" && code == "" {
		if hasDevice && !caller.mfa {
			return false, errMFAFailed
		}
		return caller.mfa, nil
	}
	// Both comparisons always run so that timing does not tell which failed.
	serialOK := subtle.ConstantTimeCompare([]byte(serial), []byte(device.serial)) == 1
	codeOK := subtle.ConstantTimeCompare([]byte(code), []byte(device.code)) == 1
	if !hasDevice || !serialOK || !codeOK {
		return false, errMFAFailed
	}
	return true, nil
}

// mayAssume reports whether caller may assume roleARN under DenyRole and
// AllowRole.
func (s *Server) mayAssume(caller principal, roleARN string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.denied[roleARN] {
		return false
	}
	trusted := s.trust[roleARN]
	if len(trusted) == 0 {
		return true
	}
	return slices.ContainsFunc(trusted, func(p string) bool {
		return p == caller.arn ||
			(caller.roleARN != "" && p == caller.roleARN) ||
			p == "arn:aws:iam::"+caller.account+":root"
	})
}

// issue generates credentials for session, valid for duration seconds from
// now, and registers them so that they can call the Server.
func (s *Server) issue(session principal, duration int) (issued, *apiError) {
	// Whole seconds, as the response carries them, so that the client and
	// the Server agree on the exact moment of expiry.
	now := s.clock().UTC()
	expiration := now.Add(time.Duration(duration) * time.Second).Truncate(time.Second)
	creds, err := s.newCredentials(expiration)
	if err != nil {
		return issued{}, errInternal
	}
	session.sessionToken = creds.sessionToken
	session.expiration = expiration
	// aws:TokenIssueTime carries whole seconds.
	session.issuedAt = now.Truncate(time.Second)
	session.secret = ""
	if session.checkSig {
		session.secret = creds.secret
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[creds.accessKeyID] = &session
	return creds, nil
}
