package fakesignin

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/sentinel-cli/sentinel/internal/loopback"

	"github.com/sentinel-cli/sentinel/internal/fakests"
)

// Resolver tells who temporary credentials belong to; *fakests.Server is
// one.
type Resolver interface {
	Lookup(accessKeyID, sessionToken string) (fakests.Session, bool)
}

// Signin is one sign-in token the stand-in issued.
type Signin struct {
	// ARN is who signed in.
	ARN string
	// Kind is the kind of credentials (assumed-role, federated-user).
	Kind string
	// SessionDuration is the console session asked for; 0 when none was
	// sent.
	SessionDuration time.Duration
	// CredentialsExpire is when the credentials used expire.
	CredentialsExpire time.Time
	// Token is the sign-in token handed out.
	Token string
}

// Server is a federation endpoint stand-in, made by New.
type Server struct {
	ts  *httptest.Server
	sts Resolver

	mu       sync.Mutex
	signins  []Signin
	refusals int
}

// New starts a stand-in on 127.0.0.1 that checks credentials with sts.
func New(sts Resolver) *Server {
	s := &Server{sts: sts}
	s.ts = loopback.Serve("fakesignin", http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the federation endpoint: http://127.0.0.1:PORT/federation.
func (s *Server) URL() string { return s.ts.URL + "/federation" }

// Close stops the stand-in.
func (s *Server) Close() { s.ts.Close() }

// Signins returns the sign-in tokens issued so far.
func (s *Server) Signins() []Signin {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Signin(nil), s.signins...)
}

// Refusals is how many getSigninToken calls were refused.
func (s *Server) Refusals() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refusals
}

func (s *Server) refuse(w http.ResponseWriter, status int, msg string) {
	s.mu.Lock()
	s.refusals++
	s.mu.Unlock()
	http.Error(w, msg, status)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/federation" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	if q.Get("Action") != "getSigninToken" {
		s.refuse(w, http.StatusBadRequest, "unsupported action")
		return
	}
	var session struct {
		ID    string `json:"sessionId"`
		Key   string `json:"sessionKey"`
		Token string `json:"sessionToken"`
	}
	if err := json.Unmarshal([]byte(q.Get("Session")), &session); err != nil || session.ID == "" || session.Key == "" || session.Token == "" {
		s.refuse(w, http.StatusBadRequest, "invalid session")
		return
	}
	who, ok := s.sts.Lookup(session.ID, session.Token)
	if !ok || who.Kind == "user" {
		s.refuse(w, http.StatusBadRequest, "invalid credentials")
		return
	}
	// The real endpoint refuses GetSessionToken credentials.
	if who.Kind == "session-token" {
		s.refuse(w, http.StatusBadRequest, "session-token credentials cannot sign in")
		return
	}
	var duration time.Duration
	if v := q.Get("SessionDuration"); v != "" {
		secs, err := strconv.Atoi(v)
		if err != nil || secs < 900 || secs > 43200 || who.Kind == "federated-user" {
			s.refuse(w, http.StatusBadRequest, "invalid SessionDuration")
			return
		}
		duration = time.Duration(secs) * time.Second
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	token := hex.EncodeToString(b)
	s.mu.Lock()
	s.signins = append(s.signins, Signin{ARN: who.ARN, Kind: who.Kind, SessionDuration: duration, CredentialsExpire: who.Expiration, Token: token})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"SigninToken": token})
}
