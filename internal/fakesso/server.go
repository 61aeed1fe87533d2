package fakesso

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/sentinel-cli/sentinel/internal/loopback"
)

// Answer is what the person does, as seen by one CreateToken poll of a
// device sign-in.
type Answer int

// The answers a poll can get.
const (
	// Approve: the person signed in; the poll gets a token.
	Approve Answer = iota
	// Pending: not yet (AuthorizationPendingException).
	Pending
	// SlowDown: polled too fast (SlowDownException).
	SlowDown
	// Deny: the person refused (AccessDeniedException).
	Deny
	// Expire: the device code expired (ExpiredTokenException).
	Expire
)

// RoleCredentials are credentials the portal handed out, as a test needs
// them to make an STS stand-in accept them.
type RoleCredentials struct {
	AccountID       string
	RoleName        string
	User            string
	ARN             string // the assumed-role session ARN STS reports
	RoleARN         string // the role behind the permission set
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// Server is the stand-in. Its methods may be called at any time; all state
// sits behind one mutex.
type Server struct {
	ts *httptest.Server

	mu             sync.Mutex
	now            func() time.Time
	user           string
	roles          map[string]bool // account + "/" + role
	clients        map[string]client
	devices        map[string]*device
	tokens         map[string]time.Time // access token -> expiry
	refreshTokens  map[string]string    // refresh token -> client ID
	answers        []Answer
	interval       int32
	tokenLifetime  time.Duration
	credsLifetime  time.Duration
	deviceLifetime time.Duration
	calls          map[string]int
	onCreds        func(RoleCredentials)
}

type client struct {
	secret  string
	scopes  []string
	expires time.Time
}

type device struct {
	clientID string
	userCode string
	expires  time.Time
}

// New starts a Server on a random port of 127.0.0.1; Close stops it.
func New() *Server {
	s := &Server{
		now:            time.Now,
		user:           "alice@example.com",
		roles:          map[string]bool{},
		clients:        map[string]client{},
		devices:        map[string]*device{},
		tokens:         map[string]time.Time{},
		refreshTokens:  map[string]string{},
		interval:       1,
		tokenLifetime:  8 * time.Hour,
		credsLifetime:  time.Hour,
		deviceLifetime: 10 * time.Minute,
		calls:          map[string]int{},
	}
	s.ts = loopback.Serve("fakesso", s.Handler())
	return s
}

// URL is the base URL, for both AWS_ENDPOINT_URL_SSO_OIDC and
// AWS_ENDPOINT_URL_SSO.
func (s *Server) URL() string { return s.ts.URL }

// Close stops the Server.
func (s *Server) Close() { s.ts.Close() }

// Handler serves the OIDC and portal APIs.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /client/register", s.registerClient)
	mux.HandleFunc("POST /device_authorization", s.startDeviceAuthorization)
	mux.HandleFunc("POST /token", s.createToken)
	mux.HandleFunc("GET /federation/credentials", s.getRoleCredentials)
	return mux
}

// SetUser names the person who signs in (alice@example.com by default):
// the session name of the role credentials.
func (s *Server) SetUser(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = name
}

// AssignRole lets the person get credentials for role in account.
func (s *Server) AssignRole(account, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roles[account+"/"+role] = true
}

// SetAnswers scripts the answers of the next CreateToken polls of device
// sign-ins, one per poll; once they are used up every poll is approved.
func (s *Server) SetAnswers(answers ...Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers = append([]Answer(nil), answers...)
}

// SetInterval sets the polling interval, in seconds, that
// StartDeviceAuthorization asks for (1 by default).
func (s *Server) SetInterval(seconds int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.interval = seconds
}

// SetTokenLifetime sets how long new access tokens last (8h by default).
func (s *Server) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenLifetime = d
}

// SetCredentialsLifetime sets how long role credentials last (1h by
// default), the permission set's session duration.
func (s *Server) SetCredentialsLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.credsLifetime = d
}

// SetNow replaces the clock; nil restores time.Now.
func (s *Server) SetNow(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// AddToken makes accessToken valid until expires, as if the person had
// signed in with another tool (the AWS CLI) that wrote it to its cache.
func (s *Server) AddToken(accessToken string, expires time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[accessToken] = expires
}

// AddClient registers an OIDC client with a refresh token, as the AWS CLI
// would have left them in its cache.
func (s *Server) AddClient(clientID, clientSecret, refreshToken string, expires time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[clientID] = client{secret: clientSecret, scopes: []string{"sso:account:access"}, expires: expires}
	if refreshToken != "" {
		s.refreshTokens[refreshToken] = clientID
	}
}

// RevokeTokens makes every access and refresh token invalid, as signing
// out of the portal does.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]time.Time{}
	s.refreshTokens = map[string]string{}
}

// OnRoleCredentials registers fn, called with every set of role
// credentials handed out (tests register them with the STS stand-in).
func (s *Server) OnRoleCredentials(fn func(RoleCredentials)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onCreds = fn
}

// Calls returns how many times op was called: RegisterClient,
// StartDeviceAuthorization, CreateToken or GetRoleCredentials.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// TotalCalls is the number of calls of every operation.
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

func (s *Server) count(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[op]++
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// randomString returns n random bytes, base64url-encoded.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("fakesso: crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// userCode returns a code like ABCD-EFGH.
func userCode() string {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("fakesso: crypto/rand: %v", err))
	}
	c := idEncoding.EncodeToString(b)
	return c[:4] + "-" + c[4:8]
}

// reservedRoleName is the IAM role Identity Center creates for a
// permission set in an account: AWSReservedSSO_NAME_ and a suffix that is
// random in AWS and derived here, so it is stable.
func reservedRoleName(account, role string) string {
	sum := sha256.Sum256([]byte(account + "/" + role))
	return "AWSReservedSSO_" + role + "_" + hex.EncodeToString(sum[:8])
}
