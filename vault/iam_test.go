package vault

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/loopback"
)

// iamScript answers IAM calls in order, one answer a call, and records what
// each call carried.
type iamScript struct {
	mu      sync.Mutex
	answers []iamAnswer
	calls   []http.Request
	forms   []map[string]string
}

type iamAnswer struct {
	status int
	body   string
}

func (s *iamScript) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	defer s.mu.Unlock()
	form := map[string]string{}
	for k := range r.PostForm {
		form[k] = r.PostForm.Get(k)
	}
	s.calls = append(s.calls, *r)
	s.forms = append(s.forms, form)
	a := iamAnswer{http.StatusInternalServerError, "<ErrorResponse><Error><Code>ScriptEnded</Code></Error></ErrorResponse>"}
	if len(s.answers) > 0 {
		a, s.answers = s.answers[0], s.answers[1:]
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(a.status)
	fmt.Fprint(w, a.body)
}

func iamError(code, msg string) string {
	return `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>` + code + `</Code><Message>` + msg + `</Message></Error><RequestId>r</RequestId></ErrorResponse>`
}

func iamList(truncated bool, marker string, ids ...string) string {
	var b strings.Builder
	b.WriteString(`<ListAccessKeysResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListAccessKeysResult><AccessKeyMetadata>`)
	for _, id := range ids {
		b.WriteString(`<member><UserName>alice</UserName><AccessKeyId>` + id + `</AccessKeyId><Status>Active</Status><CreateDate>2026-01-02T03:04:05Z</CreateDate></member>`)
	}
	fmt.Fprintf(&b, `</AccessKeyMetadata><IsTruncated>%t</IsTruncated>`, truncated)
	if marker != "" {
		b.WriteString(`<Marker>` + marker + `</Marker>`)
	}
	b.WriteString(`</ListAccessKeysResult></ListAccessKeysResponse>`)
	return b.String()
}

func newScriptedIAM(t *testing.T, attempts int, answers ...iamAnswer) (*IAM, *iamScript) {
	t.Helper()
	old := iamRetryBase
	iamRetryBase = time.Millisecond
	t.Cleanup(func() { iamRetryBase = old })
	s := &iamScript{answers: answers}
	srv := loopback.Serve("iam-script", s)
	t.Cleanup(srv.Close)
	c, err := NewIAM(Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "fake-secret-for-tests-only"}, IAMOptions{Endpoint: srv.URL, MaxAttempts: attempts, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

// Every call is a signed Query-protocol POST naming its action and the
// API version.
func TestIAMCallsAreSignedQueryRequests(t *testing.T) {
	c, s := newScriptedIAM(t, 1, iamAnswer{200, `<DeleteAccessKeyResponse/>`})
	if err := c.DeleteAccessKey(context.Background(), "AKIAOLD"); err != nil {
		t.Fatal(err)
	}
	if len(s.calls) != 1 {
		t.Fatalf("%d calls, want 1", len(s.calls))
	}
	r, form := s.calls[0], s.forms[0]
	if r.Method != http.MethodPost || form["Action"] != "DeleteAccessKey" || form["Version"] != "2010-05-08" || form["AccessKeyId"] != "AKIAOLD" {
		t.Errorf("request %s with form %v", r.Method, form)
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/") || !strings.Contains(auth, "/us-east-1/iam/aws4_request") {
		t.Errorf("Authorization %q is not a SigV4 signature for iam in us-east-1", auth)
	}
	if r.Header.Get("X-Amz-Content-Sha256") == "" && r.Header.Get("X-Amz-Date") == "" {
		t.Error("no SigV4 date header")
	}
}

// ListAccessKeys follows markers across pages and stops on a page that
// repeats its marker.
func TestIAMListAccessKeysPages(t *testing.T) {
	tests := []struct {
		name    string
		answers []iamAnswer
		want    []string
		calls   int
	}{
		{"one page", []iamAnswer{{200, iamList(false, "", "AKIA1", "AKIA2")}}, []string{"AKIA1", "AKIA2"}, 1},
		{"two pages", []iamAnswer{{200, iamList(true, "m1", "AKIA1")}, {200, iamList(false, "", "AKIA2")}}, []string{"AKIA1", "AKIA2"}, 2},
		{"truncated without a marker", []iamAnswer{{200, iamList(true, "", "AKIA1")}}, []string{"AKIA1"}, 1},
		{"a repeated marker", []iamAnswer{{200, iamList(true, "m1", "AKIA1")}, {200, iamList(true, "m1", "AKIA2")}}, []string{"AKIA1", "AKIA2"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newScriptedIAM(t, 1, tt.answers...)
			keys, err := c.ListAccessKeys(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, k := range keys {
				ids = append(ids, k.ID)
				if !k.Active || !k.Created.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
					t.Errorf("key %+v", k)
				}
			}
			if strings.Join(ids, ",") != strings.Join(tt.want, ",") || len(s.calls) != tt.calls {
				t.Fatalf("keys %v in %d calls, want %v in %d", ids, len(s.calls), tt.want, tt.calls)
			}
			if tt.calls == 2 && s.forms[1]["Marker"] != "m1" {
				t.Errorf("second page asked with marker %q", s.forms[1]["Marker"])
			}
		})
	}
}

// Errors keep the words and kinds the SDK-based client gave; throttling
// and IAM's own failures are retried, the caller's mistakes are not.
func TestIAMErrors(t *testing.T) {
	created := `<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey><UserName>alice</UserName><AccessKeyId>AKIANEW</AccessKeyId><Status>Active</Status><SecretAccessKey>fake-new-secret</SecretAccessKey></AccessKey></CreateAccessKeyResult></CreateAccessKeyResponse>`
	tests := []struct {
		name     string
		attempts int
		answers  []iamAnswer
		kind     error
		words    string
		calls    int
	}{
		{"key quota", 3, []iamAnswer{{409, iamError("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")}}, ErrTooManyKeys, "IAM CreateAccessKey: Cannot exceed quota", 1},
		{"access denied", 3, []iamAnswer{{403, iamError("AccessDenied", "not allowed\nsecond line")}}, ErrIAM, "IAM CreateAccessKey: AccessDenied: not allowed", 1},
		{"throttled then created", 3, []iamAnswer{{400, iamError("Throttling", "Rate exceeded")}, {200, created}}, nil, "", 2},
		{"IAM failing then created", 3, []iamAnswer{{503, iamError("ServiceUnavailable", "")}, {500, "not xml"}, {200, created}}, nil, "", 3},
		{"throttled every time", 2, []iamAnswer{{400, iamError("Throttling", "Rate exceeded")}, {400, iamError("Throttling", "Rate exceeded")}}, ErrIAM, "IAM CreateAccessKey: Throttling: Rate exceeded", 2},
		{"an answer without a key", 1, []iamAnswer{{200, `<CreateAccessKeyResponse/>`}}, ErrIAM, "the answer holds no key", 1},
		{"an answer that is not XML", 1, []iamAnswer{{200, `{"json":true}`}}, ErrIAM, "IAM CreateAccessKey failed", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newScriptedIAM(t, tt.attempts, tt.answers...)
			creds, err := c.CreateAccessKey(context.Background())
			if len(s.calls) != tt.calls {
				t.Errorf("%d calls, want %d", len(s.calls), tt.calls)
			}
			if tt.kind == nil {
				if err != nil || creds.AccessKeyID != "AKIANEW" || creds.SecretAccessKey != "fake-new-secret" {
					t.Fatalf("CreateAccessKey = %+v, %v", creds.AccessKeyID, err)
				}
				return
			}
			if !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.words) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q, want %v saying %q on one line", err, tt.kind, tt.words)
			}
		})
	}
}

// An endpoint nothing listens on, and one that never answers, give the
// SDK-based client's words.
func TestIAMUnreachable(t *testing.T) {
	srv := loopback.Serve("iam-closed", http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c, err := NewIAM(Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "x"}, IAMOptions{Endpoint: url, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListAccessKeys(context.Background()); !errors.Is(err, ErrIAM) || !strings.Contains(err.Error(), "could not reach IAM at "+url) {
		t.Fatalf("error %v", err)
	}

	hang := make(chan struct{})
	slow := loopback.Serve("iam-slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(hang) })
	c, err = NewIAM(Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "x"}, IAMOptions{Endpoint: slow.URL, MaxAttempts: 3, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteAccessKey(context.Background(), "AKIAOLD"); !errors.Is(err, ErrIAM) || !strings.Contains(err.Error(), "no answer from "+slow.URL+" within 50ms") {
		t.Fatalf("error %v", err)
	}
}

// FuzzIAMAnswer feeds IAM answers of any status and body to each call: no
// panic, and an error unless the answer was a success.
func FuzzIAMAnswer(f *testing.F) {
	f.Add(200, iamList(true, "m", "AKIA1"))
	f.Add(409, iamError("LimitExceeded", "quota"))
	f.Add(500, "<ErrorResponse><Error>")
	f.Add(200, "<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey><AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey></AccessKey></CreateAccessKeyResult></CreateAccessKeyResponse>")
	var mu sync.Mutex
	var status int
	var body string
	srv := loopback.Serve("iam-fuzz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	c, err := NewIAM(Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "x"}, IAMOptions{Endpoint: srv.URL, MaxAttempts: 1, Timeout: 5 * time.Second})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, st int, b string) {
		if st < 200 || st > 599 {
			st = 200 + (st%400+400)%400
		}
		mu.Lock()
		status, body = st, b
		mu.Unlock()
		ctx := context.Background()
		_, errList := c.ListAccessKeys(ctx)
		_, errCreate := c.CreateAccessKey(ctx)
		errDelete := c.DeleteAccessKey(ctx, "AKIAOLD")
		if st/100 != 2 && (errList == nil || errCreate == nil || errDelete == nil) {
			t.Fatalf("HTTP %d accepted: %v / %v / %v", st, errList, errCreate, errDelete)
		}
	})
}
