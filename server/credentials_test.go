package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const testToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// fakeSecretKey is plainly not an AWS secret key.
const fakeSecretKey = "fake-secret-key-for-tests"

var testExpiry = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func testCredentials() Credentials {
	return Credentials{AccessKeyID: "ASIAFAKEFORTESTS", SecretAccessKey: fakeSecretKey, SessionToken: "fake-session-token", Expires: testExpiry}
}

// staticSource answers every request the same way and counts calls.
type staticSource struct {
	creds Credentials
	err   error
	calls chan struct{}
}

func (s *staticSource) Credentials(ctx context.Context) (Credentials, error) {
	if s.calls != nil {
		s.calls <- struct{}{}
	}
	return s.creds, s.err
}

func TestCredentialsHandler(t *testing.T) {
	internal := errors.New("dial tcp 10.1.2.3:443: secret-internal-detail")
	tests := []struct {
		name       string
		method     string
		path       string
		auth       []string
		body       string
		src        *staticSource
		wantStatus int
		wantCode   string
		wantCalled bool
	}{
		{name: "good token", auth: []string{testToken}, src: &staticSource{creds: testCredentials()}, wantStatus: 200, wantCalled: true},
		{name: "wrong token", auth: []string{strings.Replace(testToken, "0", "1", 1)}, wantStatus: 401, wantCode: "Unauthorized"},
		{name: "shorter token", auth: []string{testToken[:63]}, wantStatus: 401, wantCode: "Unauthorized"},
		{name: "longer token", auth: []string{testToken + "0"}, wantStatus: 401, wantCode: "Unauthorized"},
		{name: "bearer prefix", auth: []string{"Bearer " + testToken}, wantStatus: 401, wantCode: "Unauthorized"},
		{name: "missing token", wantStatus: 401, wantCode: "Unauthorized"},
		{name: "empty token", auth: []string{""}, wantStatus: 401, wantCode: "Unauthorized"},
		{name: "two tokens", auth: []string{testToken, testToken}, wantStatus: 401, wantCode: "Unauthorized"},
		{name: "POST", method: "POST", auth: []string{testToken}, wantStatus: 405, wantCode: "MethodNotAllowed"},
		{name: "HEAD", method: "HEAD", auth: []string{testToken}, wantStatus: 405},
		{name: "wrong path", path: "/", auth: []string{testToken}, wantStatus: 404, wantCode: "NotFound"},
		{name: "path prefix", path: CredentialsPath + "/x", auth: []string{testToken}, wantStatus: 404, wantCode: "NotFound"},
		{name: "body", auth: []string{testToken}, body: "x", wantStatus: 400, wantCode: "BadRequest"},
		{name: "denied", auth: []string{testToken}, src: &staticSource{err: Classify(ErrDenied, internal)}, wantStatus: 403, wantCode: "AccessDenied", wantCalled: true},
		{name: "revoked", auth: []string{testToken}, src: &staticSource{err: fmt.Errorf("session s-1: %w", ErrRevoked)}, wantStatus: 403, wantCode: "SessionRevoked", wantCalled: true},
		{name: "unavailable", auth: []string{testToken}, src: &staticSource{err: Classify(ErrUnavailable, internal)}, wantStatus: 503, wantCode: "ServiceUnavailable", wantCalled: true},
		{name: "generic error", auth: []string{testToken}, src: &staticSource{err: internal}, wantStatus: 500, wantCode: "InternalError", wantCalled: true},
		{name: "incomplete credentials", auth: []string{testToken}, src: &staticSource{creds: Credentials{AccessKeyID: "ASIAFAKE", Expires: testExpiry}}, wantStatus: 500, wantCode: "InternalError", wantCalled: true},
		{name: "no expiry", auth: []string{testToken}, src: &staticSource{creds: Credentials{AccessKeyID: "A", SecretAccessKey: "S", SessionToken: "T"}}, wantStatus: 500, wantCode: "InternalError", wantCalled: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			if src == nil {
				src = &staticSource{creds: testCredentials()}
			}
			src.calls = make(chan struct{}, 1)
			var reported []int
			h := NewCredentialsHandler(src, testToken, Options{OnError: func(status int, err error) { reported = append(reported, status) }})
			method, path := tt.method, tt.path
			if method == "" {
				method = "GET"
			}
			if path == "" {
				path = CredentialsPath
			}
			var body *strings.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			var req *http.Request
			if body != nil {
				req = httptest.NewRequest(method, path, body)
			} else {
				req = httptest.NewRequest(method, path, nil)
			}
			for _, a := range tt.auth {
				req.Header.Add("Authorization", a)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if called := len(src.calls) == 1; called != tt.wantCalled {
				t.Errorf("source called: %v, want %v", called, tt.wantCalled)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
			if tt.wantStatus == 200 {
				checkCredentialsBody(t, rec.Body.Bytes())
				return
			}
			if method == "HEAD" {
				return
			}
			var doc map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatalf("error body %q: %v", rec.Body, err)
			}
			if len(doc) != 2 || doc["code"] != tt.wantCode || doc["message"] == "" {
				t.Errorf("error body %v, want code %s and a message", doc, tt.wantCode)
			}
			for _, leak := range []string{"secret-internal-detail", "10.1.2.3", fakeSecretKey, testToken} {
				if strings.Contains(rec.Body.String(), leak) {
					t.Errorf("error body leaks %q: %s", leak, rec.Body)
				}
			}
			if tt.wantCalled && (len(reported) != 1 || reported[0] != tt.wantStatus) {
				t.Errorf("OnError saw %v, want [%d]", reported, tt.wantStatus)
			}
			if tt.wantStatus == 405 && rec.Header().Get("Allow") != "GET" {
				t.Errorf("Allow %q", rec.Header().Get("Allow"))
			}
		})
	}
}

// checkCredentialsBody checks the body is exactly the document the SDKs
// read: four fields, the expiry in RFC 3339.
func checkCredentialsBody(t *testing.T, body []byte) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	want := map[string]any{
		"AccessKeyId":     "ASIAFAKEFORTESTS",
		"SecretAccessKey": fakeSecretKey,
		"Token":           "fake-session-token",
		"Expiration":      "2030-01-02T03:04:05Z",
	}
	if len(doc) != len(want) {
		t.Errorf("body has %d fields, want %d: %s", len(doc), len(want), body)
	}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %v, want %v", k, doc[k], v)
		}
	}
}

func TestEmptyTokenRefusesEverything(t *testing.T) {
	src := &staticSource{creds: testCredentials(), calls: make(chan struct{}, 1)}
	h := NewCredentialsHandler(src, "", Options{})
	for _, auth := range []string{"", " "} {
		req := httptest.NewRequest("GET", CredentialsPath, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 401 || len(src.calls) != 0 {
			t.Errorf("Authorization %q: status %d, source calls %d", auth, rec.Code, len(src.calls))
		}
	}
}

func TestCustomPath(t *testing.T) {
	h := NewCredentialsHandler(&staticSource{creds: testCredentials()}, testToken, Options{Path: "/creds"})
	for path, want := range map[string]int{"/creds": 200, CredentialsPath: 404} {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", testToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("%s: status %d, want %d", path, rec.Code, want)
		}
	}
}

func TestClassifyKeepsMessageAndChain(t *testing.T) {
	cause := &causeError{"policy says no"}
	err := Classify(ErrDenied, fmt.Errorf("profile prod: %w", cause))
	if err.Error() != "profile prod: policy says no" {
		t.Errorf("message %q", err)
	}
	var ce *causeError
	if !errors.Is(err, ErrDenied) || !errors.As(err, &ce) || errors.Is(err, ErrRevoked) {
		t.Errorf("chain: Is(ErrDenied)=%v As(cause)=%v Is(ErrRevoked)=%v", errors.Is(err, ErrDenied), errors.As(err, &ce), errors.Is(err, ErrRevoked))
	}
	if Classify(ErrDenied, nil) != nil {
		t.Error("Classify(nil) is not nil")
	}
}

type causeError struct{ msg string }

func (e *causeError) Error() string { return e.msg }
