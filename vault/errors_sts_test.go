package vault

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// stsMissingAuth is what STS answers an unsigned request.
const stsMissingAuth = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message></Error><RequestId>4f7c5e2a-0000-0000-0000-000000000000</RequestId></ErrorResponse>`

// notSTSServers answer as things that are not STS do.
var notSTSServers = []struct {
	name   string
	status int
	ctype  string
	body   string
}{
	{"web server 404", 404, "text/html", "<html><body><h1>404 Not Found</h1></body></html>"},
	{"plain 404", 404, "text/plain", "404 page not found\n"},
	{"200 with a page", 200, "text/html", "<!doctype html><title>hello</title>"},
	{"403 without a body", 403, "", ""},
	{"JSON error", 400, "application/json", `{"message":"bad request"}`},
	{"other XML", 403, "application/xml", `<Error><Code>AccessDenied</Code><Message>S3 says no</Message></Error>`},
	// Python's http.server (and many a proxy) sends HTML that is not XML:
	// an unclosed <meta>, which the SDK's XML error decoder chokes on.
	{"HTML that is not XML", 501, "text/html", "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error response</title>\n</head>\n<body><h1>Error response</h1><p>Error code: 501</p></body>\n</html>\n"},
}

func notSTSServer(t *testing.T, status int, ctype, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestProbeSTSNotSTS: the probe passes only STS's own error document; any
// other answer is a *NotSTSError naming the endpoint and status.
func TestProbeSTSNotSTS(t *testing.T) {
	for _, tt := range notSTSServers {
		t.Run(tt.name, func(t *testing.T) {
			srv := notSTSServer(t, tt.status, tt.ctype, tt.body)
			_, err := ProbeSTS(context.Background(), STSOptions{Endpoint: srv.URL}, "", time.Second, nil)
			var notSTS *NotSTSError
			if !errors.As(err, &notSTS) || !errors.Is(err, ErrNotSTS) || notSTS.Status != tt.status || notSTS.Endpoint != srv.URL {
				t.Fatalf("err = %v, want a NotSTSError for %s with status %d", err, srv.URL, tt.status)
			}
		})
	}
	sts := notSTSServer(t, 403, "text/xml", stsMissingAuth)
	if _, err := ProbeSTS(context.Background(), STSOptions{Endpoint: sts.URL}, "", time.Second, nil); err != nil {
		t.Errorf("STS's own refusal: %v", err)
	}
}

// TestSTSCallToNotSTS: a real SDK call answered by something that is not
// STS is a *NotSTSError, not "UnknownError" or an XML parse error; STS's
// own errors still map as before.
func TestSTSCallToNotSTS(t *testing.T) {
	for _, tt := range notSTSServers {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			srv := notSTSServer(t, tt.status, tt.ctype, tt.body)
			t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL)
			t.Setenv("AWS_MAX_ATTEMPTS", "1")
			for action, call := range map[string]func(*STS) error{"GetCallerIdentity": callerIdentity, "AssumeRole": assumeDev} {
				err := call(newTestSTS(t, testKeys))
				var notSTS *NotSTSError
				if !errors.As(err, &notSTS) || notSTS.Status != tt.status || notSTS.Endpoint != srv.URL || notSTS.Action != action {
					t.Fatalf("%s: err = %v (%T), want a NotSTSError for %s, HTTP %d", action, err, err, srv.URL, tt.status)
				}
			}
		})
	}
	isolate(t)
	denied := notSTSServer(t, 403, "text/xml", `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
	t.Setenv("AWS_ENDPOINT_URL_STS", denied.URL)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	if err := callerIdentity(newTestSTS(t, testKeys)); !errors.Is(err, ErrAccessDenied) || errors.Is(err, ErrNotSTS) {
		t.Errorf("STS's AccessDenied: %v", err)
	}
}
