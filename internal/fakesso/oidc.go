package fakesso

import (
	"encoding/json"
	"net/http"
	"time"
)

// maxBody bounds a request body.
const maxBody = 64 << 10

type registerClientRequest struct {
	ClientName string   `json:"clientName"`
	ClientType string   `json:"clientType"`
	Scopes     []string `json:"scopes"`
	GrantTypes []string `json:"grantTypes"`
	IssuerURL  string   `json:"issuerUrl"`
}

func (s *Server) registerClient(w http.ResponseWriter, r *http.Request) {
	s.count("RegisterClient")
	var in registerClientRequest
	if !decode(w, r, &in) {
		return
	}
	if in.ClientName == "" || in.ClientType != "public" {
		writeOIDCError(w, http.StatusBadRequest, "InvalidClientMetadataException", "invalid_client_metadata", "clientName and clientType public are required")
		return
	}
	id, secret := "client-"+randomString(12), randomString(32)
	s.mu.Lock()
	now := s.now()
	expires := now.Add(90 * 24 * time.Hour).Truncate(time.Second)
	s.clients[id] = client{secret: secret, scopes: in.Scopes, expires: expires}
	s.mu.Unlock()
	writeJSON(w, map[string]any{
		"clientId": id, "clientSecret": secret,
		"clientIdIssuedAt": now.Unix(), "clientSecretExpiresAt": expires.Unix(),
	})
}

type deviceAuthorizationRequest struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	StartURL     string `json:"startUrl"`
}

func (s *Server) startDeviceAuthorization(w http.ResponseWriter, r *http.Request) {
	s.count("StartDeviceAuthorization")
	var in deviceAuthorizationRequest
	if !decode(w, r, &in) {
		return
	}
	if _, ok := s.client(in.ClientID, in.ClientSecret); !ok {
		writeOIDCError(w, http.StatusUnauthorized, "InvalidClientException", "invalid_client", "unknown client")
		return
	}
	if in.StartURL == "" {
		writeOIDCError(w, http.StatusBadRequest, "InvalidRequestException", "invalid_request", "startUrl is required")
		return
	}
	code, uc := randomString(32), userCode()
	s.mu.Lock()
	lifetime, interval := s.deviceLifetime, s.interval
	s.devices[code] = &device{clientID: in.ClientID, userCode: uc, expires: s.now().Add(lifetime)}
	s.mu.Unlock()
	verify := s.URL() + "/start/#/device"
	writeJSON(w, map[string]any{
		"deviceCode": code, "userCode": uc,
		"verificationUri": verify, "verificationUriComplete": verify + "?user_code=" + uc,
		"expiresIn": int64(lifetime / time.Second), "interval": interval,
	})
}

type createTokenRequest struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	GrantType    string `json:"grantType"`
	DeviceCode   string `json:"deviceCode"`
	RefreshToken string `json:"refreshToken"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	s.count("CreateToken")
	var in createTokenRequest
	if !decode(w, r, &in) {
		return
	}
	c, ok := s.client(in.ClientID, in.ClientSecret)
	if !ok {
		writeOIDCError(w, http.StatusUnauthorized, "InvalidClientException", "invalid_client", "unknown or expired client")
		return
	}
	switch in.GrantType {
	case "urn:ietf:params:oauth:grant-type:device_code":
		s.deviceToken(w, in, c)
	case "refresh_token":
		s.refreshToken(w, in, c)
	default:
		writeOIDCError(w, http.StatusBadRequest, "UnsupportedGrantTypeException", "unsupported_grant_type", "unsupported grant type")
	}
}

func (s *Server) deviceToken(w http.ResponseWriter, in createTokenRequest, c client) {
	s.mu.Lock()
	d, ok := s.devices[in.DeviceCode]
	answer := Approve
	if ok && d.clientID == in.ClientID && len(s.answers) > 0 {
		answer, s.answers = s.answers[0], s.answers[1:]
	}
	if ok && !s.now().Before(d.expires) {
		answer = Expire
	}
	if ok && answer != Pending && answer != SlowDown {
		delete(s.devices, in.DeviceCode)
	}
	s.mu.Unlock()
	if !ok || d.clientID != in.ClientID {
		writeOIDCError(w, http.StatusBadRequest, "InvalidGrantException", "invalid_grant", "unknown device code")
		return
	}
	switch answer {
	case Pending:
		writeOIDCError(w, http.StatusBadRequest, "AuthorizationPendingException", "authorization_pending", "authorization pending")
	case SlowDown:
		writeOIDCError(w, http.StatusBadRequest, "SlowDownException", "slow_down", "slow down")
	case Deny:
		writeOIDCError(w, http.StatusBadRequest, "AccessDeniedException", "access_denied", "the user denied the request")
	case Expire:
		writeOIDCError(w, http.StatusBadRequest, "ExpiredTokenException", "expired_token", "the device code expired")
	default:
		s.writeToken(w, in.ClientID, len(c.scopes) > 0)
	}
}

func (s *Server) refreshToken(w http.ResponseWriter, in createTokenRequest, c client) {
	s.mu.Lock()
	owner, ok := s.refreshTokens[in.RefreshToken]
	if ok && owner == in.ClientID {
		delete(s.refreshTokens, in.RefreshToken) // refresh tokens rotate
	}
	s.mu.Unlock()
	if !ok || owner != in.ClientID || len(c.scopes) == 0 {
		writeOIDCError(w, http.StatusBadRequest, "InvalidGrantException", "invalid_grant", "invalid refresh token")
		return
	}
	s.writeToken(w, in.ClientID, true)
}

// writeToken issues an access token (and a refresh token when asked).
func (s *Server) writeToken(w http.ResponseWriter, clientID string, withRefresh bool) {
	access := "sso-token-" + randomString(32)
	s.mu.Lock()
	lifetime := s.tokenLifetime
	s.tokens[access] = s.now().Add(lifetime)
	out := map[string]any{"accessToken": access, "tokenType": "Bearer", "expiresIn": int64(lifetime / time.Second)}
	if withRefresh {
		refresh := "sso-refresh-" + randomString(32)
		s.refreshTokens[refresh] = clientID
		out["refreshToken"] = refresh
	}
	s.mu.Unlock()
	writeJSON(w, out)
}

// client returns the registered client id when secret is its secret and
// it has not expired.
func (s *Server) client(id, secret string) (client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok || c.secret != secret || !s.now().Before(c.expires) {
		return client{}, false
	}
	return c, true
}

// decode reads a JSON body into v, answering InvalidRequestException when
// it is not one.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(v); err != nil {
		writeOIDCError(w, http.StatusBadRequest, "InvalidRequestException", "invalid_request", "the body is not JSON")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// writeOIDCError writes an OIDC error as the service does: the type in a
// header and in the body, with the OAuth error code and description.
func writeOIDCError(w http.ResponseWriter, status int, typ, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "error": code, "error_description": description})
}
