package fakesecrets

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"time"

	"github.com/sentinel-cli/sentinel/internal/loopback"
)

// Call is one request the Server answered.
type Call struct {
	// Target is the X-Amz-Target header, such as
	// "secretsmanager.GetSecretValue".
	Target string
	// ID is the SecretId or the parameter Name asked for.
	ID string
	// AccessKeyID is the caller's key from the Authorization header.
	AccessKeyID string
	// Decrypt is GetParameter's WithDecryption.
	Decrypt bool
	// Status is the HTTP status answered.
	Status int
}

// Server is the stand-in. Its zero value is not usable; call New.
type Server struct {
	srv    *httptest.Server
	mu     sync.Mutex
	secret map[string]string // by ARN
	params map[string]string // by name
	calls  []Call
}

// New starts a Server on 127.0.0.1.
func New() *Server {
	s := &Server{secret: map[string]string{}, params: map[string]string{}}
	s.srv = loopback.Serve("fakesecrets", http.HandlerFunc(s.serve))
	return s
}

// URL is the endpoint for both clients.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the Server.
func (s *Server) Close() { s.srv.Close() }

// PutSecret stores a Secrets Manager secret under its full ARN.
func (s *Server) PutSecret(arn, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secret[arn] = value
}

// PutParameter stores a SecureString parameter under its name.
func (s *Server) PutParameter(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.params[name] = value
}

// Calls returns a copy of the calls answered so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

var credentialPattern = regexp.MustCompile(`Credential=([A-Z0-9]+)/`)

// maxBody bounds a request body: both calls carry a name and a flag.
const maxBody = 64 << 10

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	call := Call{Target: r.Header.Get("X-Amz-Target")}
	status, body := s.answer(r, &call)
	call.Status = status
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func apiError(code, message string) (int, any) {
	return http.StatusBadRequest, map[string]string{"__type": code, "message": message}
}

func (s *Server) answer(r *http.Request, call *Call) (int, any) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return apiError("UnknownOperationException", "POST / only")
	}
	m := credentialPattern.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return apiError("MissingAuthenticationTokenException", "Request is missing Authentication Token")
	}
	call.AccessKeyID = m[1]
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(data) > maxBody {
		return apiError("SerializationException", "body too large or unreadable")
	}
	var in struct {
		SecretID       string `json:"SecretId"`
		Name           string `json:"Name"`
		WithDecryption bool   `json:"WithDecryption"`
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return apiError("SerializationException", "the body is not JSON")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch call.Target {
	case "secretsmanager.GetSecretValue":
		call.ID = in.SecretID
		v, ok := s.secret[in.SecretID]
		if !ok {
			return apiError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		}
		return http.StatusOK, map[string]any{
			"ARN": in.SecretID, "Name": in.SecretID, "SecretString": v,
			"VersionId": "00000000-0000-0000-0000-000000000001", "VersionStages": []string{"AWSCURRENT"},
			"CreatedDate": float64(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()),
		}
	case "AmazonSSM.GetParameter":
		call.ID, call.Decrypt = in.Name, in.WithDecryption
		v, ok := s.params[in.Name]
		if !ok {
			return apiError("ParameterNotFound", "")
		}
		if !in.WithDecryption {
			// A SecureString read without decryption is its ciphertext.
			v = base64.StdEncoding.EncodeToString([]byte("kms-ciphertext:" + v))
		}
		return http.StatusOK, map[string]any{"Parameter": map[string]any{
			"Name": in.Name, "Type": "SecureString", "Value": v, "Version": 1,
			"ARN": "arn:aws:ssm:us-east-1:111122223333:parameter" + in.Name, "DataType": "text",
		}}
	}
	return apiError("UnknownOperationException", "unknown target")
}
