package fakesignin

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/sentinel-cli/sentinel/internal/fakests"
)

func TestRefusesWhatTheFederationEndpointRefuses(t *testing.T) {
	st := fakests.New()
	defer st.Close()
	st.AddUser("AKIAALICEEXAMPLE0001", "arn:aws:iam::111122223333:user/alice", "111122223333")
	s := New(st)
	defer s.Close()
	tests := []struct {
		name  string
		path  string
		query url.Values
	}{
		{"wrong path", "/other", url.Values{"Action": {"getSigninToken"}}},
		{"wrong action", "/federation", url.Values{"Action": {"login"}}},
		{"no session", "/federation", url.Values{"Action": {"getSigninToken"}}},
		{"bad JSON", "/federation", url.Values{"Action": {"getSigninToken"}, "Session": {"{"}}},
		{"long-lived keys", "/federation", url.Values{"Action": {"getSigninToken"}, "Session": {`{"sessionId":"AKIAALICEEXAMPLE0001","sessionKey":"k","sessionToken":"t"}`}}},
		{"unknown credentials", "/federation", url.Values{"Action": {"getSigninToken"}, "Session": {`{"sessionId":"ASIAUNKNOWN","sessionKey":"k","sessionToken":"t"}`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(s.ts.URL + tt.path + "?" + tt.query.Encode())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Errorf("accepted")
			}
		})
	}
	if len(s.Signins()) != 0 {
		t.Errorf("sign-ins: %+v", s.Signins())
	}
}
