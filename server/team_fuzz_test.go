package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// FuzzTeamHandler sends arbitrary methods, paths, queries and bodies, as
// a caller the (test-only) authenticator accepts: whatever arrives, the
// answer is a JSON document with a known status, never a 500 and never a
// panic.
func FuzzTeamHandler(f *testing.F) {
	tm := newTeam(f, teamOptions{quiet: true})
	h := tm.srv.Config.Handler
	f.Add("POST", "/v1/credentials", "", `{"profile":"dev"}`)
	f.Add("POST", "/v1/credentials", "", `{"profile":"dev","session_id":"0123456789abcdef"}`)
	f.Add("POST", "/v1/requests", "", `{"profile":"prod","justification":"deploy the fix now"}`)
	f.Add("GET", "/v1/requests", "status=pending&profile=prod", "")
	f.Add("POST", "/v1/requests/0123456789abcdef/approve", "", `{"comment":"ok"}`)
	f.Add("POST", "/v1/breakglass", "", `{"profile":"prod","reason_code":"incident","justification":"the site is down for everyone"}`)
	f.Add("GET", "/v1/sessions/0123456789abcdef", "", "")
	f.Add("POST", "/v1/sessions/0123456789abcdef/revoke", "", `{"reason":"x"}`)
	f.Add("GET", "/v1/../v1/whoami", "a=%zz", "\x00")
	f.Add("POST", "/v1/anchors", "", `{"log":"host:/l","seq":3,"hash":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","time":"2026-01-02T03:04:05Z"}`)
	f.Add("GET", "/v1/anchors", "log=host%3A%2Fl", "")
	f.Add("GET", "/v1/requests", "reviewable=true", "")
	f.Add("POST", "/v1/sessions/0123456789abcdef/end", "", "")
	f.Add("POST", "/v1/users/block", "", `{"user_arn":"arn:aws:iam::111122223333:user/alice","reason":"x","for_seconds":60}`)
	f.Add("POST", "/v1/users/unblock", "", `{"user_arn":"arn:aws:iam::111122223333:user/alice"}`)
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		u := &url.URL{Path: path, RawQuery: query}
		req := httptest.NewRequest(http.MethodGet, "/", bytes.NewReader([]byte(body)))
		req.Method = method
		req.URL = u
		req.Header.Set(testOnlyCallerHeader, arnOf("fuzz"))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 401, 403, 404, 405, 409:
		default:
			t.Fatalf("%s %q ? %q body %q: status %d %s", method, path, query, body, rec.Code, rec.Body.String())
		}
		if rec.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("content type %q", rec.Header().Get("Content-Type"))
		}
	})
}
