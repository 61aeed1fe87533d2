package fakests

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/sentinel-cli/sentinel/internal/loopback"
)

// Server is an STS stand-in, made by New or NewUnstarted (the zero Server
// is not usable). Its methods may be called at any time, also while
// requests are in flight; all state sits behind one mutex.
type Server struct {
	ts        *httptest.Server // nil for a Server made by NewUnstarted
	done      chan struct{}    // closed by Close so that delayed requests end
	closeOnce sync.Once

	mu        sync.Mutex
	now       func() time.Time
	keys      map[string]*principal // access key ID -> who it belongs to
	mfa       map[string]mfaDevice  // long-lived access key ID -> its device
	trust     map[string][]string   // role ARN -> principals allowed to assume it
	denied    map[string]bool       // role ARN -> assuming it is refused
	faults    map[string]apiError   // action -> the error it returns
	delay     time.Duration
	calls     []*Call
	onCall    func(Call)
	randBytes func([]byte) error // crypto/rand; replaced only by tests of failure paths
}

// mfaDevice is the virtual MFA device registered for a user.
type mfaDevice struct {
	serial string
	code   string
}

// New starts a Server on a random port of 127.0.0.1 and returns it; Close
// stops it. Like httptest.NewServer it panics when it cannot listen on
// loopback, which only happens on a broken machine.
func New() *Server {
	s := NewUnstarted()
	s.ts = loopback.Serve("fakests", s.Handler())
	return s
}

// NewUnstarted returns a Server that does not listen anywhere; serve its
// Handler yourself (the sts-standin command does, on a fixed port).
func NewUnstarted() *Server {
	return &Server{
		done:      make(chan struct{}),
		now:       time.Now,
		keys:      make(map[string]*principal),
		mfa:       make(map[string]mfaDevice),
		trust:     make(map[string][]string),
		denied:    make(map[string]bool),
		faults:    make(map[string]apiError),
		randBytes: cryptoRandBytes,
	}
}

// URL returns the base URL of a started Server, such as
// "http://127.0.0.1:41234", or "" for one made by NewUnstarted.
func (s *Server) URL() string {
	if s.ts == nil {
		return ""
	}
	return s.ts.URL
}

// Close stops the Server and waits for requests in flight; requests held
// back by SetDelay end at once.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
	if s.ts != nil {
		s.ts.Close()
	}
}

// Handler returns the http.Handler that serves the STS query protocol on
// POST /.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

// AddUser registers a long-lived access key belonging to the IAM user arn in
// account. Its UserId is derived from the ARN, so it is stable across runs.
// It is AddUserWithSecret without a secret: signatures are not checked.
func (s *Server) AddUser(accessKeyID, arn, account string) {
	s.AddUserWithSecret(accessKeyID, "", arn, account)
}

// AddUserWithSecret is AddUser for a user whose secret access key the
// Server knows: every request signed with accessKeyID, and with the
// temporary credentials issued to it (GetSessionToken, AssumeRole and
// chains of them), must then carry a valid SigV4 signature for service sts,
// dated within 15 minutes of the Server's clock, as AWS STS requires. A bad
// signature answers 403 SignatureDoesNotMatch, a stale or future date 403
// SignatureDoesNotMatch ("Signature expired" / "not yet current"), a
// malformed Authorization header 400 IncompleteSignature. The secret stays
// in memory only, is never recorded in Calls and never logged.
func (s *Server) AddUserWithSecret(accessKeyID, secret, arn, account string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[accessKeyID] = &principal{
		arn:      arn,
		userID:   derivedID("AIDA", arn),
		account:  account,
		baseUser: accessKeyID,
		checkSig: secret != "",
		secret:   secret,
	}
}

// AddMFA registers an MFA device for the user of accessKeyID. From then on
// that user's calls of GetSessionToken and AssumeRole must carry serial and
// code, unless they are made with temporary credentials that were issued
// with MFA; this mirrors an IAM policy requiring aws:MultiFactorAuthPresent.
func (s *Server) AddMFA(accessKeyID, serial, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mfa[accessKeyID] = mfaDevice{serial: serial, code: code}
}

// AllowRole adds principals to the trust list of roleARN. A role with a
// trust list may be assumed only by those principals; a role without one, by
// any known caller. A principal is a user ARN, an assumed-role session ARN, a
// role ARN (any session of that role) or arn:aws:iam::ACCOUNT:root (anyone in
// that account).
func (s *Server) AllowRole(roleARN string, principalARNs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trust[roleARN] = append(s.trust[roleARN], principalARNs...)
}

// DenyRole makes every AssumeRole of roleARN fail with 403 AccessDenied,
// whatever AllowRole says.
func (s *Server) DenyRole(roleARN string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied[roleARN] = true
}

// SetFault makes every following call of action fail with status, code and
// message (for example 400 Throttling "Rate exceeded") until ClearFault.
// The fault applies before authentication, as a throttle in front of STS
// would. Statuses of 500 and above are sent with the error type Receiver; a
// status that is not an HTTP error (outside 400-599) is sent as 500.
func (s *Server) SetFault(action string, status int, code, message string) {
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[action] = apiError{status: status, code: code, message: message}
}

// ClearFault removes the fault set for action, if any.
func (s *Server) ClearFault(action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.faults, action)
}

// SetDelay holds every following request back by d before it is answered,
// to simulate a slow endpoint; zero removes the delay. A delayed request ends
// early when its client goes away or the Server is closed.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// SetNow replaces the clock used for expirations and call times; nil
// restores time.Now.
func (s *Server) SetNow(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetCallHook registers fn to be called, once per request, with the
// finished Call; nil removes it. The sts-standin command logs through it.
// fn runs on the request's goroutine, outside the Server's lock, and may be
// called concurrently for concurrent requests.
func (s *Server) SetCallHook(fn func(Call)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onCall = fn
}

// clock returns the current time of the injected clock.
func (s *Server) clock() time.Time {
	s.mu.Lock()
	now := s.now
	s.mu.Unlock()
	return now()
}
