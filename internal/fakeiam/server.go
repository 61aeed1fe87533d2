package fakeiam

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/sentinel-cli/sentinel/internal/loopback"

	"github.com/sentinel-cli/sentinel/internal/fakests"
)

// maxKeysPerUser is IAM's quota of access keys per user.
const maxKeysPerUser = 2

const (
	apiVersion   = "2010-05-08"
	iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"
)

// userARNPattern captures the account and user name of an IAM user ARN.
var userARNPattern = regexp.MustCompile(`^arn:aws:iam::(\d{12}):user/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$`)

// Call is one request the stand-in answered.
type Call struct {
	Action      string
	AccessKeyID string
	Params      url.Values
	Status      int
	ErrorCode   string
}

type accessKey struct {
	id      string
	created time.Time
}

type user struct {
	arn, account, name string
	keys               []accessKey
	mfaSerial, mfaCode string
}

type fault struct {
	status    int
	code, msg string
	remaining int // answers left with the fault; <0 means always
}

// Server is an IAM stand-in, made by New.
type Server struct {
	ts  *httptest.Server
	sts *fakests.Server

	mu     sync.Mutex
	users  map[string]*user // user ARN -> user
	roles  map[roleKey]*role
	delay  time.Duration
	faults map[string]*fault
	calls  []Call
	timers []*time.Timer
}

// New starts a stand-in on 127.0.0.1 whose keys live in sts.
func New(sts *fakests.Server) *Server {
	s := &Server{sts: sts, users: map[string]*user{}, roles: map[roleKey]*role{}, faults: map[string]*fault{}}
	s.ts = loopback.Serve("fakeiam", http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the endpoint, for AWS_ENDPOINT_URL_IAM.
func (s *Server) URL() string { return s.ts.URL }

// Close stops the stand-in.
func (s *Server) Close() {
	s.mu.Lock()
	for _, t := range s.timers {
		t.Stop()
	}
	s.mu.Unlock()
	s.ts.Close()
}

// AddUser registers IAM user userARN with its existing access key keyID
// (which the STS stand-in must know already, through fakests.AddUser).
func (s *Server) AddUser(userARN, keyID string) {
	m := userARNPattern.FindStringSubmatch(userARN)
	if m == nil {
		panic("fakeiam: not a user ARN: " + userARN)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[userARN]
	if u == nil {
		u = &user{arn: userARN, account: m[1], name: m[2]}
		s.users[userARN] = u
	}
	u.keys = append(u.keys, accessKey{id: keyID, created: time.Now().UTC().Truncate(time.Second)})
}

// AddKey gives userARN one more access key, as made elsewhere (the
// console), usable with STS at once; it returns the key ID.
func (s *Server) AddKey(userARN string) string {
	s.mu.Lock()
	u := s.users[userARN]
	s.mu.Unlock()
	if u == nil {
		panic("fakeiam: unknown user " + userARN)
	}
	id := newKeyID()
	s.sts.AddUser(id, userARN, u.account)
	s.AddUser(userARN, id)
	return id
}

// SetMFA registers the user's MFA device: every key of the user, present
// and future, is bound to it in the STS stand-in.
func (s *Server) SetMFA(userARN, serial, code string) {
	s.mu.Lock()
	u := s.users[userARN]
	u.mfaSerial, u.mfaCode = serial, code
	keys := append([]accessKey(nil), u.keys...)
	s.mu.Unlock()
	for _, k := range keys {
		s.sts.AddMFA(k.id, serial, code)
	}
}

// SetPropagationDelay sets how long a new key takes to work with STS.
func (s *Server) SetPropagationDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// SetFault makes action fail with status and code, times times (<0 for
// always).
func (s *Server) SetFault(action string, status int, code string, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[action] = &fault{status: status, code: code, msg: "injected fault", remaining: times}
}

// Keys lists the access key IDs of userARN.
func (s *Server) Keys(userARN string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	if u := s.users[userARN]; u != nil {
		for _, k := range u.keys {
			ids = append(ids, k.id)
		}
	}
	return ids
}

// Calls returns the requests answered so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsOf returns the requests of one action.
func (s *Server) CallsOf(action string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Action == action {
			out = append(out, c)
		}
	}
	return out
}

type apiError struct {
	status    int
	code, msg string
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// The body is read whole first: the signature covers its hash.
	raw, formErr := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	r.Body = io.NopCloser(bytes.NewReader(raw))
	if formErr == nil {
		formErr = r.ParseForm()
	}
	form := r.PostForm
	keyID := accessKeyOf(r.Header.Get("Authorization"))
	body, apiErr := s.answer(r, raw, form, formErr, keyID)
	call := Call{Action: form.Get("Action"), AccessKeyID: keyID, Params: form, Status: http.StatusOK}
	requestID := newRequestID()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	if apiErr != nil {
		call.Status, call.ErrorCode = apiErr.status, apiErr.code
		s.record(call)
		w.WriteHeader(apiErr.status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
			iamNamespace, apiErr.code, xmlEscape(apiErr.msg), requestID)
		return
	}
	s.record(call)
	fmt.Fprintf(w, `<%[1]sResponse xmlns="%[2]s">%[3]s<ResponseMetadata><RequestId>%[4]s</RequestId></ResponseMetadata></%[1]sResponse>`,
		form.Get("Action"), iamNamespace, body, requestID)
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

func (s *Server) answer(r *http.Request, raw []byte, form url.Values, formErr error, keyID string) (string, *apiError) {
	if r.Method != http.MethodPost || formErr != nil || form.Get("Version") != apiVersion {
		return "", &apiError{http.StatusBadRequest, "InvalidAction", "The stand-in answers POST / with Version " + apiVersion + " only."}
	}
	action := form.Get("Action")
	if f := s.takeFault(action); f != nil {
		return "", &apiError{f.status, f.code, f.msg}
	}
	// The STS stand-in knows the credentials; it checks the signature
	// (scoped to iam) when it knows their secret.
	who, err := s.sts.Authenticate(r, raw, "iam")
	if err != nil {
		var authErr *fakests.AuthError
		if errors.As(err, &authErr) {
			return "", &apiError{authErr.Status, authErr.Code, authErr.Message}
		}
		return "", &apiError{http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid."}
	}
	if who.Kind == "session-token" && !who.MFA {
		return "", &apiError{http.StatusForbidden, "AccessDenied", "Session credentials can call IAM only when issued with MFA."}
	}
	if isRolePolicyAction(action) {
		// A role's inline policies are written by users, MFA sessions and
		// role sessions (the revoker role) of the role's account; AWS
		// refuses every IAM call made with GetFederationToken credentials.
		if who.Kind == "federated-user" {
			return "", &apiError{http.StatusForbidden, "AccessDenied", "Federated user credentials cannot call IAM."}
		}
		return s.answerRolePolicy(action, who.Account, form)
	}
	switch who.Kind {
	case "user", "session-token":
	default:
		return "", &apiError{http.StatusBadRequest, "ValidationError", "Must specify userName when calling with non-User credentials"}
	}
	s.mu.Lock()
	u := s.users[who.ARN]
	s.mu.Unlock()
	if u == nil {
		return "", &apiError{http.StatusNotFound, "NoSuchEntity", "The user " + who.ARN + " is not known to the stand-in."}
	}
	if name := form.Get("UserName"); name != "" && name != u.name {
		return "", &apiError{http.StatusForbidden, "AccessDenied", "User: " + who.ARN + " is not authorized to act on user " + name}
	}
	switch action {
	case "ListAccessKeys":
		return s.listAccessKeys(u), nil
	case "CreateAccessKey":
		return s.createAccessKey(u)
	case "DeleteAccessKey":
		return s.deleteAccessKey(u, form.Get("AccessKeyId"))
	}
	return "", &apiError{http.StatusBadRequest, "InvalidAction", "Could not find operation " + action}
}

func (s *Server) takeFault(action string) *fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults[action]
	if f == nil {
		return nil
	}
	if f.remaining > 0 {
		f.remaining--
		if f.remaining == 0 {
			delete(s.faults, action)
		}
	}
	return f
}

func (s *Server) listAccessKeys(u *user) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	b.WriteString("<ListAccessKeysResult><AccessKeyMetadata>")
	for _, k := range u.keys {
		fmt.Fprintf(&b, "<member><UserName>%s</UserName><AccessKeyId>%s</AccessKeyId><Status>Active</Status><CreateDate>%s</CreateDate></member>",
			u.name, k.id, k.created.Format(time.RFC3339))
	}
	b.WriteString("</AccessKeyMetadata><IsTruncated>false</IsTruncated></ListAccessKeysResult>")
	return b.String()
}

func (s *Server) createAccessKey(u *user) (string, *apiError) {
	s.mu.Lock()
	if len(u.keys) >= maxKeysPerUser {
		s.mu.Unlock()
		return "", &apiError{http.StatusConflict, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2"}
	}
	id := newKeyID()
	created := time.Now().UTC().Truncate(time.Second)
	u.keys = append(u.keys, accessKey{id: id, created: created})
	delay := s.delay
	serial, code, arn, account := u.mfaSerial, u.mfaCode, u.arn, u.account
	register := func() {
		s.sts.AddUser(id, arn, account)
		if serial != "" {
			s.sts.AddMFA(id, serial, code)
		}
	}
	if delay > 0 {
		s.timers = append(s.timers, time.AfterFunc(delay, register))
	}
	s.mu.Unlock()
	if delay <= 0 {
		register()
	}
	secret := make([]byte, 30)
	_, _ = rand.Read(secret)
	return fmt.Sprintf("<CreateAccessKeyResult><AccessKey><UserName>%s</UserName><AccessKeyId>%s</AccessKeyId><Status>Active</Status><SecretAccessKey>%s</SecretAccessKey><CreateDate>%s</CreateDate></AccessKey></CreateAccessKeyResult>",
		u.name, id, base64.StdEncoding.EncodeToString(secret), created.Format(time.RFC3339)), nil
}

func (s *Server) deleteAccessKey(u *user, id string) (string, *apiError) {
	s.mu.Lock()
	found := -1
	for i, k := range u.keys {
		if k.id == id {
			found = i
		}
	}
	if found < 0 {
		s.mu.Unlock()
		return "", &apiError{http.StatusNotFound, "NoSuchEntity", "The Access Key with id " + id + " cannot be found."}
	}
	u.keys = append(u.keys[:found], u.keys[found+1:]...)
	s.mu.Unlock()
	s.sts.RemoveUser(id)
	return "", nil
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func newKeyID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return "AKIA" + idEncoding.EncodeToString(b)
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func accessKeyOf(header string) string {
	const marker = "Credential="
	i := strings.Index(header, marker)
	if i < 0 {
		return ""
	}
	rest := header[i+len(marker):]
	if end := strings.IndexAny(rest, "/, "); end >= 0 {
		rest = rest[:end]
	}
	for _, r := range rest {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return ""
		}
	}
	return rest
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
