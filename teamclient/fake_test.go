package teamclient

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/sentinel-cli/sentinel/proof"
	"github.com/sentinel-cli/sentinel/teamapi"
)

// The fake service in these tests speaks the team API on loopback and
// checks every proof it gets the way the service would before asking STS:
// signed for its STS endpoint, by the test's key, bound to its server_id
// and to the exact call.

const (
	testServerID = "team-test"
	testKeyID    = "AKIDTEAMCLIENTTEST"
	testSTS      = "https://sts.eu-west-1.amazonaws.com"
)

var testCreds = credentials.NewStaticCredentialsProvider(testKeyID, "not-a-real-secret-teamclient", "")

// call is what the fake service saw of one API call.
type call struct {
	Method, Path, Query string
	Body                []byte
	Proof               bool
}

// fakeService is a team API on loopback with a handler per route.
type fakeService struct {
	t        *testing.T
	srv      *httptest.Server
	prefix   string
	info     Info
	mu       sync.Mutex
	calls    []call
	routes   map[string]http.HandlerFunc // "METHOD /v1/path" -> handler
	badProof []string
}

func newFakeService(t *testing.T, prefix string) *fakeService {
	t.Helper()
	f := &fakeService{t: t, prefix: prefix, routes: map[string]http.HandlerFunc{},
		info: Info{ServerID: testServerID, STSEndpoint: testSTS, STSRegion: "eu-west-1", Version: "test"}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeService) route(key string, h http.HandlerFunc) { f.routes[key] = h }

// answer registers a route that answers status with the JSON of v.
func (f *fakeService) answer(key string, status int, v any) {
	f.route(key, func(w http.ResponseWriter, r *http.Request) { writeJSONAnswer(w, status, v) })
}

func writeJSONAnswer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeService) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path, ok := strings.CutPrefix(r.URL.Path, f.prefix)
	if !ok {
		http.Error(w, "outside the prefix", http.StatusNotFound)
		return
	}
	header := r.Header.Get(proof.Header)
	f.mu.Lock()
	f.calls = append(f.calls, call{Method: r.Method, Path: path, Query: r.URL.RawQuery, Body: body, Proof: header != ""})
	f.mu.Unlock()
	if path == "/v1/info" && r.Method == http.MethodGet {
		writeJSONAnswer(w, http.StatusOK, f.info)
		return
	}
	if header == "" {
		writeJSONAnswer(w, http.StatusUnauthorized, errorBody{Code: teamapi.CodeInvalidProof, Message: "no proof"})
		return
	}
	pathWithQuery := path
	if r.URL.RawQuery != "" {
		pathWithQuery += "?" + r.URL.RawQuery
	}
	if why := checkProof(header, f.info, proof.RequestHash(r.Method, pathWithQuery, body)); why != "" {
		f.mu.Lock()
		f.badProof = append(f.badProof, why)
		f.mu.Unlock()
		writeJSONAnswer(w, http.StatusUnauthorized, errorBody{Code: teamapi.CodeInvalidProof, Message: why})
		return
	}
	h, ok := f.routes[r.Method+" "+path]
	if !ok {
		writeJSONAnswer(w, http.StatusNotFound, errorBody{Code: teamapi.CodeNotFound, Message: "no route " + r.Method + " " + path})
		return
	}
	h(w, r)
}

// checkProof says what is wrong with a proof header, or "".
func checkProof(header string, info Info, wantHash string) string {
	raw, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		return "not base64url"
	}
	var p struct {
		Method  string              `json:"method"`
		URL     string              `json:"url"`
		Headers map[string][]string `json:"headers"`
		Body    string              `json:"body"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return "not JSON"
	}
	h := http.Header(p.Headers)
	auth := h.Get("Authorization")
	switch {
	case p.Method != http.MethodPost || p.Body != "Action=GetCallerIdentity&Version=2011-06-15":
		return "not a GetCallerIdentity request"
	case strings.TrimSuffix(p.URL, "/") != strings.TrimSuffix(info.STSEndpoint, "/"):
		return "signed for " + p.URL
	case h.Get(proof.ServerIDHeader) != info.ServerID:
		return "server ID " + h.Get(proof.ServerIDHeader)
	case h.Get(proof.RequestHashHeader) != wantHash:
		return "request hash does not match the call"
	case !strings.Contains(auth, "Credential="+testKeyID+"/") || !strings.Contains(auth, "/"+info.STSRegion+"/sts/aws4_request"):
		return "not signed by the test key for the region"
	case !strings.Contains(auth, "x-sentinel-request-sha256") || !strings.Contains(auth, "x-sentinel-server-id"):
		return "server ID or request hash not signed"
	}
	return ""
}

func (f *fakeService) seen() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// proofsSent counts the calls that carried a proof.
func (f *fakeService) proofsSent() int {
	n := 0
	for _, c := range f.seen() {
		if c.Proof {
			n++
		}
	}
	return n
}

func (f *fakeService) client(t *testing.T, mod func(*Options)) *Client {
	t.Helper()
	o := Options{URL: f.srv.URL + f.prefix, ServerID: testServerID, Credentials: testCreds}
	if mod != nil {
		mod(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// credsAnswer is a credentials answer expiring in an hour.
func credsAnswer(session string) credentialsAnswer {
	return credentialsAnswer{
		AccessKeyID: "ASIAFAKE", SecretAccessKey: "fake-secret", SessionToken: "fake-token",
		Expiration:     time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		SourceIdentity: "sentinel.alice.policy.0123456789abcdef", SessionID: session, RequestID: "0123456789abcdef",
	}
}

var _ aws.CredentialsProvider = testCreds

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func jsonOf(t *testing.T, b []byte) map[string]any {
	t.Helper()
	m := map[string]any{}
	if len(b) == 0 {
		return m
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return m
}

func sprint(v any) string { return fmt.Sprint(v) }
