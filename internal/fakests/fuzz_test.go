package fakests

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzServe sends arbitrary form bodies and Authorization headers to the
// handler and checks that every answer is a well-formed STS response with
// a known status, and that no secret the client signed with leaks back.
func FuzzServe(f *testing.F) {
	f.Add("Action=GetCallerIdentity&Version=2011-06-15", sigV4(aliceKey))
	f.Add("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A444455556666%3Arole%2Fdeploy&RoleSessionName=s&SourceIdentity=a%3Ab", sigV4(aliceKey))
	f.Add("Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900&SerialNumber=arn%3Aaws%3Aiam%3A%3A111122223333%3Amfa%2Falice&TokenCode=123456", sigV4(aliceKey))
	f.Add("%zz", "")
	// carol's signatures are checked: the SigV4 parser and checker get fuzzed.
	f.Add("Action=GetCallerIdentity&Version=2011-06-15", sigV4(carolKey))
	f.Add("Action=GetCallerIdentity&Version=2011-06-15", "AWS4-HMAC-SHA256 Credential="+carolKey+"/20260301/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00, Signature=01")
	srv := NewUnstarted()
	defer srv.Close()
	srv.AddUser(aliceKey, aliceARN, account)
	srv.AddUserWithSecret(carolKey, carolSecret, carolARN, account)
	srv.AddMFA(aliceKey, mfaSerial, mfaCode)
	handler := srv.Handler()

	f.Fuzz(func(t *testing.T, body, authorization string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", authorization)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)

		switch rec.Code {
		case 200, 400, 403, 500:
		default:
			t.Fatalf("status %d", rec.Code)
		}
		var root struct{ XMLName xml.Name }
		if err := xml.Unmarshal(rec.Body.Bytes(), &root); err != nil {
			t.Fatalf("response is not XML: %v: %q", err, rec.Body.String())
		}
		wantRoot := "ErrorResponse"
		if rec.Code == 200 {
			wantRoot = req.Form.Get("Action") + "Response"
		}
		if root.XMLName.Local != wantRoot {
			t.Fatalf("status %d with root %q, want %q", rec.Code, root.XMLName.Local, wantRoot)
		}
		if strings.Contains(rec.Body.String(), staticSecret) || strings.Contains(rec.Body.String(), carolSecret) {
			t.Fatal("response echoes a secret")
		}
		// Keep the fuzzing Server small: forget calls and issued keys.
		srv.Reset()
		srv.mu.Lock()
		for id, p := range srv.keys {
			if p.temporary {
				delete(srv.keys, id)
			}
		}
		srv.mu.Unlock()
	})
}
