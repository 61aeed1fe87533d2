package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestNotSTSEndpoint: with AWS_ENDPOINT_URL_STS pointing at a plain web
// server, doctor fails its STS check naming the endpoint and the HTTP
// status, and a real call fails with one line saying the same, never
// "UnknownError" or an XML parse error.
func TestNotSTSEndpoint(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		http.NotFound(w, r)
	}))
	defer web.Close()
	_, alice := newWorldWithAlice(t, devPolicy)
	alice.extra["AWS_ENDPOINT_URL_STS"] = web.URL

	r := alice.run("doctor")
	if r.code != 1 {
		t.Fatalf("doctor against a web server: %s", r)
	}
	sts := doctorLines(t, r.stdout)["sts"]
	if !strings.HasPrefix(sts, "FAIL") || !strings.Contains(sts, web.URL) || !strings.Contains(sts, "HTTP 404") {
		t.Errorf("doctor's sts check: %q\n%s", sts, r.stdout)
	}

	want := `^sentinel: STS endpoint ` + regexp.QuoteMeta(web.URL) + ` answered HTTP 404; is it an STS endpoint\?\nsentinel: hint: check AWS_ENDPOINT_URL_STS`
	for _, args := range [][]string{{"whoami"}, {"exec", "dev", "--", "true"}, {"credentials", "dev"}} {
		r := alice.mustFail(want, args...)
		if strings.Contains(r.stderr, "UnknownError") || strings.Contains(strings.ToLower(r.stderr), "xml") {
			t.Errorf("sentinel %v: %s", args, r.stderr)
		}
	}
}
