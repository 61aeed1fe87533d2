package server

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzCredentialsHandler feeds raw HTTP requests (path, method, headers,
// anything a local process can send) to the handler: it must never panic,
// must answer JSON, and must hand out credentials only to a GET on the
// path with exactly the token.
func FuzzCredentialsHandler(f *testing.F) {
	seeds := []string{
		"GET " + CredentialsPath + " HTTP/1.1\r\nHost: 127.0.0.1:1\r\nAuthorization: " + testToken + "\r\n\r\n",
		"GET " + CredentialsPath + " HTTP/1.1\r\nHost: 127.0.0.1:1\r\nAuthorization: " + testToken[:63] + "\r\n\r\n",
		"GET " + CredentialsPath + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + testToken + "\r\nAuthorization: " + testToken + "\r\n\r\n",
		"POST " + CredentialsPath + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + testToken + "\r\nContent-Length: 2\r\n\r\n{}",
		"GET " + CredentialsPath + "?a=b HTTP/1.1\r\nHost: x\r\nauthorization: " + testToken + "\r\n\r\n",
		"GET /sentinel/%63redentials HTTP/1.1\r\nHost: x\r\nAuthorization: " + testToken + "\r\n\r\n",
		"GET " + CredentialsPath + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + testToken + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"GET //sentinel/credentials HTTP/1.0\r\n\r\n",
		"GET * HTTP/1.1\r\nHost: x\r\n\r\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	h := NewCredentialsHandler(&staticSource{creds: testCredentials()}, testToken, Options{})
	f.Fuzz(func(t *testing.T, raw string) {
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("headers %v", rec.Header())
		}
		var doc map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatalf("body %q is not JSON: %v", rec.Body, err)
		}
		authorized := req.Method == "GET" && req.URL.Path == CredentialsPath &&
			len(req.Header.Values("Authorization")) == 1 && req.Header.Get("Authorization") == testToken
		if rec.Code == http.StatusOK {
			if !authorized || doc["AccessKeyId"] == "" {
				t.Fatalf("credentials handed out for %q", raw)
			}
			return
		}
		if doc["code"] == "" || doc["message"] == "" || strings.Contains(rec.Body.String(), fakeSecretKey) {
			t.Fatalf("refusal %d body %q", rec.Code, rec.Body)
		}
		if authorized && rec.Code != http.StatusBadRequest {
			t.Fatalf("authorized GET refused with %d: %q", rec.Code, raw)
		}
	})
}
