package fakests

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// sigV4 is an Authorization header as the SDK sends it, for accessKeyID.
func sigV4(accessKeyID string) string {
	return "AWS4-HMAC-SHA256 Credential=" + accessKeyID + "/20260301/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
}

// rawPost sends form to srv with the given Authorization header ("" for
// none) and returns the status, the request ID header and the body.
func rawPost(t *testing.T, srv *Server, method string, form url.Values, authorization string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+"/", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("build request: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("send request: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return resp.StatusCode, resp.Header.Get("X-Amzn-Requestid"), string(body)
}

func TestRawProtocol(t *testing.T) {
	action := func(name string) url.Values {
		return url.Values{"Action": {name}, "Version": {apiVersion}}
	}
	tests := []struct {
		name          string
		setup         func(*Server)
		method        string
		form          url.Values
		authorization string
		wantStatus    int
		wantRoot      string // the root element
		wantInBody    []string
	}{
		{
			name: "GetCallerIdentity success", method: http.MethodPost, form: action("GetCallerIdentity"), authorization: sigV4(aliceKey),
			wantStatus: 200, wantRoot: "GetCallerIdentityResponse",
			wantInBody: []string{`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>` + aliceARN + `</Arn>`, `<ResponseMetadata><RequestId>`},
		},
		{
			name: "AssumeRole success", method: http.MethodPost,
			form:          url.Values{"Action": {"AssumeRole"}, "Version": {apiVersion}, "RoleArn": {roleARN}, "RoleSessionName": {"s1"}, "SourceIdentity": {"alice"}},
			authorization: sigV4(aliceKey), wantStatus: 200, wantRoot: "AssumeRoleResponse",
			wantInBody: []string{"<AssumeRoleResult><Credentials><AccessKeyId>ASIA", "<AssumedRoleUser><Arn>arn:aws:sts::444455556666:assumed-role/deploy/s1</Arn><AssumedRoleId>AROA", "<SourceIdentity>alice</SourceIdentity></AssumeRoleResult>"},
		},
		{
			name: "no Authorization header", method: http.MethodPost, form: action("GetCallerIdentity"),
			wantStatus: 403, wantRoot: "ErrorResponse",
			wantInBody: []string{"<Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code>"},
		},
		{
			name: "Authorization header without a credential", method: http.MethodPost, form: action("GetCallerIdentity"), authorization: "Bearer xyz",
			wantStatus: 403, wantRoot: "ErrorResponse", wantInBody: []string{"<Code>InvalidClientTokenId</Code>"},
		},
		{
			name: "unknown action", method: http.MethodPost, form: action("DecodeAuthorizationMessage"), authorization: sigV4(aliceKey),
			wantStatus: 400, wantRoot: "ErrorResponse", wantInBody: []string{"<Code>InvalidAction</Code>"},
		},
		{
			name: "wrong version", method: http.MethodPost, form: url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2010-01-01"}}, authorization: sigV4(aliceKey),
			wantStatus: 400, wantRoot: "ErrorResponse", wantInBody: []string{"<Code>InvalidAction</Code>"},
		},
		{
			name: "GET", method: http.MethodGet, form: action("GetCallerIdentity"), authorization: sigV4(aliceKey),
			wantStatus: 405, wantRoot: "ErrorResponse",
		},
		{
			name:   "server fault is a Receiver error",
			setup:  func(s *Server) { s.SetFault("GetCallerIdentity", 503, "ServiceUnavailable", "down") },
			method: http.MethodPost, form: action("GetCallerIdentity"), authorization: sigV4(aliceKey),
			wantStatus: 503, wantRoot: "ErrorResponse", wantInBody: []string{"<Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>down</Message>"},
		},
		{
			name:   "fault with a non-error status is sent as 500",
			setup:  func(s *Server) { s.SetFault("GetCallerIdentity", 200, "Odd", "odd") },
			method: http.MethodPost, form: action("GetCallerIdentity"), authorization: sigV4(aliceKey),
			wantStatus: 500, wantRoot: "ErrorResponse", wantInBody: []string{"<Code>Odd</Code>"},
		},
		{
			name: "cleared fault",
			setup: func(s *Server) {
				s.SetFault("GetCallerIdentity", 400, "Throttling", "x")
				s.ClearFault("GetCallerIdentity")
			},
			method: http.MethodPost, form: action("GetCallerIdentity"), authorization: sigV4(aliceKey),
			wantStatus: 200, wantRoot: "GetCallerIdentityResponse",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := New()
			defer srv.Close()
			srv.AddUser(aliceKey, aliceARN, account)
			if tt.setup != nil {
				tt.setup(srv)
			}
			status, requestID, body := rawPost(t, srv, tt.method, tt.form, tt.authorization)
			if status != tt.wantStatus {
				t.Errorf("status = %d, want %d; body %s", status, tt.wantStatus, body)
			}
			var root struct {
				XMLName   xml.Name
				RequestID string `xml:"RequestId"`
				Metadata  string `xml:"ResponseMetadata>RequestId"`
			}
			if err := xml.Unmarshal([]byte(body), &root); err != nil {
				t.Fatalf("body is not XML: %v: %s", err, body)
			}
			if root.XMLName.Local != tt.wantRoot || root.XMLName.Space != stsNamespace {
				t.Errorf("root = %v, want %s in %s", root.XMLName, tt.wantRoot, stsNamespace)
			}
			if id := root.RequestID + root.Metadata; id == "" || id != requestID {
				t.Errorf("request ID in body %q, in header %q; want the same, not empty", id, requestID)
			}
			for _, want := range tt.wantInBody {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %s:\n%s", want, body)
				}
			}
		})
	}
}

func TestExpiredCredentials(t *testing.T) {
	h := newHarness(t)
	now := fixedNow
	h.srv.SetNow(func() time.Time { return now })
	ctx := context.Background()
	sess, err := h.alice().GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatalf("GetSessionToken: %v", err)
	}
	role, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) { in.DurationSeconds = aws.Int32(900) }))
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	tests := []struct {
		name     string
		advance  time.Duration
		wantCode string // "" for success
	}{
		{"one second before expiry", 899 * time.Second, ""},
		{"at expiry", 900 * time.Second, "ExpiredToken"},
		{"long after expiry", 48 * time.Hour, "ExpiredToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// SetNow takes the closure; the variable it reads is changed
			// only here, between calls, so there is no race.
			now = fixedNow.Add(tt.advance)
			for label, c := range map[string]*sts.Client{"session": h.clientFor(sess.Credentials), "role": h.clientFor(role.Credentials)} {
				_, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				if tt.wantCode == "" {
					if err != nil {
						t.Errorf("%s credentials: %v", label, err)
					}
					continue
				}
				if err == nil {
					t.Fatalf("%s credentials still work", label)
				}
				code, message, status := apiErrorOf(t, err)
				if code != tt.wantCode || status != 400 || message != "The security token included in the request is expired" {
					t.Errorf("%s credentials: got %d %s %q, want 400 %s", label, status, code, message, tt.wantCode)
				}
			}
		})
	}
	// Long-lived keys do not expire.
	if _, err := h.alice().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("long-lived key after the clock moved: %v", err)
	}
}

func TestDelay(t *testing.T) {
	h := newHarness(t)
	h.srv.SetDelay(10 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.alice().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err == nil {
		t.Fatal("call succeeded through a 10s delay with a 200ms timeout")
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("call took %v, want it cut at the client's timeout", elapsed)
	}
	if n := len(h.srv.CallsOf("GetCallerIdentity")); n != 1 {
		t.Errorf("recorded %d calls, want 1", n)
	}

	// A request still held back must not keep Close waiting for the delay.
	go func() { _, _ = h.alice().GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}) }()
	for len(h.srv.Calls()) < 2 {
		time.Sleep(5 * time.Millisecond)
	}
	start = time.Now()
	h.srv.Close()
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("Close took %v with a delayed request in flight", elapsed)
	}

	h2 := newHarness(t)
	h2.srv.SetDelay(50 * time.Millisecond)
	h2.srv.SetDelay(0)
	if _, err := h2.alice().GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("call after removing the delay: %v", err)
	}
}
