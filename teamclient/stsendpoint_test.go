package teamclient

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/teamapi"
)

func TestIsAWSSTSEndpoint(t *testing.T) {
	for endpoint, want := range map[string]bool{
		"https://sts.amazonaws.com":                    true,
		"https://sts.amazonaws.com/":                   true,
		"https://sts.eu-west-1.amazonaws.com":          true,
		"https://sts-fips.us-east-1.amazonaws.com":     true,
		"https://sts.us-gov-west-1.amazonaws.com":      true,
		"https://sts-fips.us-gov-west-1.amazonaws.com": true,
		"https://sts.cn-north-1.amazonaws.com.cn":      true,
		"https://sts.amazonaws.com.cn":                 false,
		"https://sts.eu-west-1.amazonaws.com.cn":       false,
		"https://sts.cn-north-1.amazonaws.com":         false,
		"http://sts.amazonaws.com":                     false,
		"https://sts.amazonaws.com:8443":               false,
		"https://sts.amazonaws.com/path":               false,
		"https://sts.amazonaws.com?x=1":                false,
		"https://user@sts.amazonaws.com":               false,
		"https://sts.amazonaws.com.evil.example":       false,
		"https://evilsts.amazonaws.com":                false,
		"https://sts.evil.amazonaws.com":               false,
		"https://iam.amazonaws.com":                    false,
		"https://sts.eu-west-1.amazonaws.com#frag":     false,
		"": false,
	} {
		if got := IsAWSSTSEndpoint(endpoint); got != want {
			t.Errorf("IsAWSSTSEndpoint(%q) = %v, want %v", endpoint, got, want)
		}
	}
}

func FuzzIsAWSSTSEndpoint(f *testing.F) {
	for _, s := range []string{"https://sts.amazonaws.com", "https://sts.eu-west-1.amazonaws.com", "https://x.amazonaws.com.cn"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !IsAWSSTSEndpoint(s) {
			return
		}
		l := strings.TrimSuffix(s, "/")
		if !strings.HasPrefix(l, "https://sts") || !(strings.HasSuffix(l, ".amazonaws.com") || strings.HasSuffix(l, ".amazonaws.com.cn")) {
			t.Fatalf("accepted %q", s)
		}
	})
}

// FuzzAPIError feeds arbitrary error answers: never a panic, always an
// *APIError with the status, never a control character in the message.
func FuzzAPIError(f *testing.F) {
	f.Add(403, []byte(`{"code":"AccessDenied","message":"no"}`))
	f.Add(401, []byte(`not json`))
	f.Add(503, []byte(`{"code":"Unavailable","message":"\u001b[2J"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		err := apiError(status, body, kindRequest)
		e, ok := err.(*APIError)
		if !ok || e.Status != status {
			t.Fatalf("apiError = %v", err)
		}
		for _, r := range e.Error() {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("control character in %q", e.Error())
			}
		}
		if e.Code != "" && codeStatus[e.Code] != status && !(status == http.StatusUnauthorized && e.Code == teamapi.CodeInvalidProof) {
			t.Fatalf("code %s kept with status %d", e.Code, status)
		}
	})
}
