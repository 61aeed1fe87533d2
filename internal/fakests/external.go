package fakests

import "time"

// AddSession registers temporary credentials issued outside the Server
// (such as IAM Identity Center's role credentials) as a session of the
// assumed role roleARN in account: arn is the session ARN
// GetCallerIdentity reports (arn:aws:sts::ACCOUNT:assumed-role/ROLE/NAME).
// Calls must carry sessionToken and are refused as expired from
// expiration on. The session can assume roles like any other.
func (s *Server) AddSession(accessKeyID, sessionToken, arn, roleARN, account string, expiration time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[accessKeyID] = &principal{
		arn:          arn,
		userID:       derivedID("AROA", roleARN) + ":" + arn[lastSlash(arn)+1:],
		account:      account,
		baseUser:     accessKeyID,
		temporary:    true,
		sessionToken: sessionToken,
		expiration:   expiration,
		roleARN:      roleARN,
	}
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}
