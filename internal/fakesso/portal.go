package fakesso

import (
	"encoding/json"
	"net/http"
	"time"
)

func (s *Server) getRoleCredentials(w http.ResponseWriter, r *http.Request) {
	s.count("GetRoleCredentials")
	token := r.Header.Get("X-Amz-Sso_bearer_token")
	account, role := r.URL.Query().Get("account_id"), r.URL.Query().Get("role_name")
	s.mu.Lock()
	expires, known := s.tokens[token]
	valid := known && s.now().Before(expires)
	assigned := s.roles[account+"/"+role]
	user, lifetime, now, hook := s.user, s.credsLifetime, s.now(), s.onCreds
	s.mu.Unlock()
	switch {
	case token == "" || !valid:
		writePortalError(w, http.StatusUnauthorized, "UnauthorizedException", "Session token not found or invalid")
		return
	case account == "" || role == "":
		writePortalError(w, http.StatusBadRequest, "InvalidRequestException", "account_id and role_name are required")
		return
	case !assigned:
		writePortalError(w, http.StatusForbidden, "ForbiddenException", "No access")
		return
	}
	reserved := reservedRoleName(account, role)
	rc := RoleCredentials{
		AccountID:       account,
		RoleName:        role,
		User:            user,
		ARN:             "arn:aws:sts::" + account + ":assumed-role/" + reserved + "/" + user,
		RoleARN:         "arn:aws:iam::" + account + ":role/aws-reserved/sso.amazonaws.com/" + reserved,
		AccessKeyID:     "ASIA" + idEncoding.EncodeToString([]byte(randomString(10)))[:16],
		SecretAccessKey: randomString(30),
		SessionToken:    randomString(96),
		Expiration:      now.Add(lifetime).UTC().Truncate(time.Second),
	}
	if hook != nil {
		hook(rc)
	}
	writeJSON(w, map[string]any{"roleCredentials": map[string]any{
		"accessKeyId": rc.AccessKeyID, "secretAccessKey": rc.SecretAccessKey,
		"sessionToken": rc.SessionToken, "expiration": rc.Expiration.UnixMilli(),
	}})
}

// writePortalError writes a portal error the way the service does.
func writePortalError(w http.ResponseWriter, status int, typ, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": message})
}
