package proof

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sentinel-cli/sentinel/internal/fakests"
)

// Test identities. The secrets are fake and exist only on loopback.
const (
	userKey     = "AKIAPROOFTESTUSER001"
	userSecret  = "fake-secret-for-proof-tests-only-000000"
	userARN     = "arn:aws:iam::111122223333:user/alice"
	userAccount = "111122223333"
	serverID    = "team-test"
	region      = "eu-west-1"
	apiPath     = "/v1/credentials"
	audience    = "https://team.example.com/prod"
)

var apiBody = []byte(`{"profile":"prod"}`)

// env is an STS stand-in checking signatures and a Verifier for it.
type env struct {
	t     *testing.T
	sts   *fakests.Server
	v     *Verifier
	creds aws.Credentials
}

func newEnv(t *testing.T) *env {
	t.Helper()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	srv := fakests.New()
	t.Cleanup(srv.Close)
	srv.AddUserWithSecret(userKey, userSecret, userARN, userAccount)
	return &env{
		t:     t,
		sts:   srv,
		v:     &Verifier{ServerID: serverID, STSEndpoint: srv.URL(), Region: region, Accounts: []string{userAccount}, Audiences: []string{audience}},
		creds: aws.Credentials{AccessKeyID: userKey, SecretAccessKey: userSecret},
	}
}

// sign makes a genuine proof for the API call (POST apiPath apiBody).
func (e *env) sign(mutate func(*SignParams)) string {
	e.t.Helper()
	p := SignParams{STSEndpoint: e.sts.URL(), Region: region, ServerID: serverID, Audience: audience, RequestHash: RequestHash("POST", apiPath, apiBody)}
	if mutate != nil {
		mutate(&p)
	}
	h, err := Sign(context.Background(), e.creds, p)
	if err != nil {
		e.t.Fatalf("Sign: %v", err)
	}
	return h
}

func (e *env) verify(header string) (string, error) {
	id, err := e.v.Verify(context.Background(), header, "POST", apiPath, apiBody)
	return id.ARN, err
}

// forgery describes a request signed with the user's real keys by the
// SDK's signer but shaped by an attacker.
type forgery struct {
	method, url, body string
	service, region   string
	headers           http.Header // set before signing (signed)
	after             http.Header // added after signing (unsigned)
	at                time.Time
	noAudience        bool
}

func (e *env) forge(f forgery) string {
	e.t.Helper()
	if f.method == "" {
		f.method = "POST"
	}
	if f.url == "" {
		f.url = e.sts.URL() + "/"
	}
	if f.body == "" {
		f.body = stsBody
	}
	if f.service == "" {
		f.service = "sts"
	}
	if f.region == "" {
		f.region = region
	}
	if f.at.IsZero() {
		f.at = time.Now()
	}
	req, err := http.NewRequest(f.method, f.url, strings.NewReader(f.body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", stsContentType)
	req.Header.Set(ServerIDHeader, serverID)
	req.Header.Set(RequestHashHeader, RequestHash("POST", apiPath, apiBody))
	if !f.noAudience {
		req.Header.Set(AudienceHeader, audience)
	}
	for k, vs := range f.headers {
		req.Header[k] = vs
	}
	sum := sha256.Sum256([]byte(f.body))
	if err := v4.NewSigner().SignHTTP(context.Background(), e.creds, req, hex.EncodeToString(sum[:]), f.service, f.region, f.at); err != nil {
		e.t.Fatal(err)
	}
	for k, vs := range f.after {
		req.Header[k] = append(req.Header[k], vs...)
	}
	return encode(e.t, wireProof{Method: f.method, URL: f.url, Headers: req.Header, Body: f.body})
}

func encode(t testing.TB, w wireProof) string {
	t.Helper()
	raw, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decode(t *testing.T, h string) wireProof {
	t.Helper()
	w, err := decodeHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestVerifyIAMUser(t *testing.T) {
	e := newEnv(t)
	id, err := e.v.Verify(context.Background(), e.sign(nil), "POST", apiPath, apiBody)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if id.ARN != userARN || id.Account != userAccount || id.Name != "alice" || !strings.HasPrefix(id.UserID, "AIDA") {
		t.Fatalf("identity %+v", id)
	}
	calls := e.sts.CallsOf("GetCallerIdentity")
	if len(calls) != 1 || calls[0].Status != 200 {
		t.Fatalf("STS calls %+v", calls)
	}
}

func TestVerifySessionCredentials(t *testing.T) {
	e := newEnv(t)
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(userKey, userSecret, "")),
		config.WithRegion(region), config.WithRetryMaxAttempts(1),
		config.WithBaseEndpoint(e.sts.URL()))
	if err != nil {
		t.Fatal(err)
	}
	client := sts.NewFromConfig(cfg)
	st, err := client.GetSessionToken(context.Background(), &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	e.creds = aws.Credentials{AccessKeyID: *st.Credentials.AccessKeyId, SecretAccessKey: *st.Credentials.SecretAccessKey, SessionToken: *st.Credentials.SessionToken}
	header := e.sign(nil)
	if !strings.Contains(decode(t, header).Headers["Authorization"][0], "x-amz-security-token") {
		t.Fatal("session token not signed")
	}
	if arn, err := e.verify(header); err != nil || arn != userARN {
		t.Fatalf("session credentials: %s %v", arn, err)
	}

	ar, err := client.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/dev"), RoleSessionName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	e.creds = aws.Credentials{AccessKeyID: *ar.Credentials.AccessKeyId, SecretAccessKey: *ar.Credentials.SecretAccessKey, SessionToken: *ar.Credentials.SessionToken}
	if arn, err := e.verify(e.sign(nil)); err != nil || arn != "arn:aws:sts::111122223333:assumed-role/dev/alice" {
		t.Fatalf("role session: %s %v", arn, err)
	}

	// The token dropped: STS refuses the temporary key without it.
	e.creds.SessionToken = ""
	if _, err := e.verify(e.sign(nil)); ReasonOf(err) != ReasonSTSRefused {
		t.Fatalf("no token: %v", err)
	}
}

func TestVerifyRefusesForgeries(t *testing.T) {
	e := newEnv(t)
	other := fakests.New()
	defer other.Close()
	other.AddUserWithSecret(userKey, userSecret, userARN, userAccount)
	port := e.sts.URL()[strings.LastIndex(e.sts.URL(), ":"):]
	now := time.Now()

	cases := []struct {
		name   string
		header func() string
		reason Reason
	}{
		{"other server ID", func() string { return e.sign(func(p *SignParams) { p.ServerID = "team-other" }) }, ReasonServerID},
		{"signed for a look-alike service", func() string {
			return e.sign(func(p *SignParams) { p.Audience = "https://team.example.net/prod" })
		}, ReasonAudience},
		{"signed for another prefix of the same host", func() string {
			return e.sign(func(p *SignParams) { p.Audience = "https://team.example.com" })
		}, ReasonAudience},
		{"signed without an audience", func() string { return e.forge(forgery{noAudience: true}) }, ReasonHeader},
		{"audience not in canonical form", func() string {
			return e.forge(forgery{headers: http.Header{AudienceHeader: {"https://TEAM.example.com/prod/"}}})
		}, ReasonAudience},
		{"audience added unsigned", func() string {
			return e.forge(forgery{noAudience: true, after: http.Header{AudienceHeader: {audience}}})
		}, ReasonUnsigned},
		{"audience with two values", func() string {
			return e.forge(forgery{after: http.Header{AudienceHeader: {audience}}})
		}, ReasonHeader},
		{"other API body", func() string {
			return e.sign(func(p *SignParams) { p.RequestHash = RequestHash("POST", apiPath, []byte(`{"profile":"dev"}`)) })
		}, ReasonRequestHash},
		{"other API path", func() string {
			return e.sign(func(p *SignParams) { p.RequestHash = RequestHash("POST", "/v1/requests", apiBody) })
		}, ReasonRequestHash},
		{"signed 6 minutes ago", func() string { return e.sign(func(p *SignParams) { p.Now = now.Add(-6 * time.Minute) }) }, ReasonDate},
		{"signed 6 minutes ahead", func() string { return e.sign(func(p *SignParams) { p.Now = now.Add(6 * time.Minute) }) }, ReasonDate},
		{"extra form parameter", func() string { return e.forge(forgery{body: stsBody + "&RoleArn=x"}) }, ReasonBody},
		{"duplicated form key", func() string { return e.forge(forgery{body: stsBody + "&Action=GetCallerIdentity"}) }, ReasonBody},
		{"duplicated form key other case", func() string { return e.forge(forgery{body: stsBody + "&action=AssumeRole"}) }, ReasonBody},
		{"another action", func() string { return e.forge(forgery{body: "Action=GetSessionToken&Version=2011-06-15"}) }, ReasonBody},
		{"another version", func() string { return e.forge(forgery{body: "Action=GetCallerIdentity&Version=2012-01-01"}) }, ReasonBody},
		{"semicolon separator", func() string { return e.forge(forgery{body: "Action=GetCallerIdentity;Version=2011-06-15"}) }, ReasonBody},
		{"query", func() string { return e.forge(forgery{url: e.sts.URL() + "/?Action=GetCallerIdentity"}) }, ReasonURL},
		{"duplicated query", func() string {
			return e.forge(forgery{url: e.sts.URL() + "/?Action=GetCallerIdentity&Action=AssumeRole"})
		}, ReasonURL},
		{"empty query", func() string { return e.forge(forgery{url: e.sts.URL() + "/?"}) }, ReasonURL},
		{"another endpoint", func() string { return e.sign(func(p *SignParams) { p.STSEndpoint = other.URL() }) }, ReasonURL},
		{"look-alike host", func() string { return e.forge(forgery{url: "http://localhost" + port + "/"}) }, ReasonURL},
		{"look-alike host suffix", func() string { return e.forge(forgery{url: "http://127.0.0.1.nip.io" + port + "/"}) }, ReasonURL},
		{"other path", func() string { return e.forge(forgery{url: e.sts.URL() + "/sts/"}) }, ReasonURL},
		{"https instead of http", func() string { return e.forge(forgery{url: strings.Replace(e.sts.URL(), "http:", "https:", 1) + "/"}) }, ReasonURL},
		{"userinfo", func() string {
			return e.forge(forgery{url: "http://user@" + strings.TrimPrefix(e.sts.URL(), "http://") + "/"})
		}, ReasonURL},
		{"GET", func() string { return e.forge(forgery{method: "GET"}) }, ReasonMethod},
		{"unsigned allowed header", func() string {
			return e.forge(forgery{after: http.Header{"X-Amz-Security-Token": {"tok"}}})
		}, ReasonUnsigned},
		{"unknown header, signed", func() string { return e.forge(forgery{headers: http.Header{"X-Extra": {"1"}}}) }, ReasonHeader},
		{"unknown header, unsigned", func() string { return e.forge(forgery{after: http.Header{"X-Extra": {"1"}}}) }, ReasonHeader},
		{"header with two values", func() string {
			return e.forge(forgery{headers: http.Header{ServerIDHeader: {serverID, serverID}}})
		}, ReasonHeader},
		{"server ID with two values, second unsigned", func() string {
			return e.forge(forgery{after: http.Header{ServerIDHeader: {"team-other"}}})
		}, ReasonHeader},
		{"Host header smuggled", func() string {
			return e.forge(forgery{after: http.Header{"Host": {"sts.amazonaws.com"}}})
		}, ReasonHost},
		{"Host header signed", func() string {
			return e.forge(forgery{headers: http.Header{"Host": {strings.TrimPrefix(e.sts.URL(), "http://")}}})
		}, ReasonHost},
		{"another service", func() string { return e.forge(forgery{service: "iam"}) }, ReasonScope},
		{"another region", func() string { return e.forge(forgery{region: "us-east-1"}) }, ReasonScope},
		{"wrong secret", func() string {
			saved := e.creds
			defer func() { e.creds = saved }()
			e.creds.SecretAccessKey = "not-the-secret"
			return e.sign(nil)
		}, ReasonSTSRefused},
		{"unknown key", func() string {
			saved := e.creds
			defer func() { e.creds = saved }()
			e.creds.AccessKeyID = "AKIAUNKNOWNKEY000001"
			return e.sign(nil)
		}, ReasonSTSRefused},
		{"access key ID of the wrong shape", func() string {
			saved := e.creds
			defer func() { e.creds = saved }()
			e.creds.AccessKeyID = "AKIAUNKNOWNKEY0000001"
			return e.sign(nil)
		}, ReasonAuthorization},
		{"access key ID of another kind", func() string {
			saved := e.creds
			defer func() { e.creds = saved }()
			e.creds.AccessKeyID = "AROAUNKNOWNKEY000001"
			return e.sign(nil)
		}, ReasonAuthorization},
		{"empty", func() string { return "" }, ReasonMissing},
		{"too large", func() string { return strings.Repeat("A", MaxHeaderBytes+1) }, ReasonTooLarge},
		{"padded base64", func() string { return base64.URLEncoding.EncodeToString([]byte(`{"a":1}`)) }, ReasonEncoding},
		{"standard base64", func() string { return "+/+/" }, ReasonEncoding},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			arn, err := e.verify(c.header())
			if err == nil {
				t.Fatalf("accepted as %s", arn)
			}
			if !errors.Is(err, ErrInvalidProof) || errors.Is(err, ErrSTSUnavailable) {
				t.Fatalf("error %v does not match ErrInvalidProof only", err)
			}
			if got := ReasonOf(err); got != c.reason {
				t.Fatalf("reason %s, want %s (%v)", got, c.reason, err)
			}
			if strings.Contains(err.Error(), userSecret) || strings.Contains(err.Error(), "Signature=") {
				t.Fatalf("error leaks: %v", err)
			}
		})
	}
	// The forgeries that STS itself would have accepted (a stale date
	// within STS's 15 minutes, another endpoint that is a real STS) never
	// reached the stand-in that the verifier trusts, except those only STS
	// can judge (the wrong secret and the unknown key).
	for _, c := range e.sts.Calls() {
		if c.Status == 200 {
			t.Errorf("a forgery reached STS and was answered: %+v", c)
		}
		if c.AccessKeyID != "AKIAUNKNOWNKEY000001" && c.AccessKeyID != userKey {
			t.Errorf("a key ID that AWS never issues was sent to STS: %+v", c)
		}
	}
	if n := len(other.Calls()); n != 0 {
		t.Errorf("the other endpoint got %d calls", n)
	}
}

func TestVerifyStrictJSON(t *testing.T) {
	e := newEnv(t)
	genuine := decode(t, e.sign(nil))
	raw, err := json.Marshal(genuine)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	withBody := func(extra string) string { return strings.TrimSuffix(s, "}") + extra + "}" }
	cases := map[string]string{
		"duplicated method":   withBody(`,"method":"POST"`),
		"duplicated url":      withBody(`,"url":"` + genuine.URL + `"`),
		"unknown key":         withBody(`,"extra":1`),
		"trailing object":     s + "{}",
		"trailing garbage":    s + "x",
		"array":               "[" + s + "]",
		"headers not object":  `{"method":"POST","url":"` + genuine.URL + `","headers":[],"body":"` + stsBody + `"}`,
		"missing body":        `{"method":"POST","url":"` + genuine.URL + `","headers":{}}`,
		"number method":       `{"method":1,"url":"","headers":{},"body":""}`,
		"header value number": `{"method":"POST","url":"","headers":{"A":[1]},"body":""}`,
		"header name twice":   strings.Replace(s, `"X-Amz-Date":`, `"x-amz-date":["20200101T000000Z"],"X-Amz-Date":`, 1),
	}
	for name, js := range cases {
		t.Run(name, func(t *testing.T) {
			h := base64.RawURLEncoding.EncodeToString([]byte(js))
			_, err := e.verify(h)
			if r := ReasonOf(err); r != ReasonJSON && r != ReasonHeader {
				t.Fatalf("reason %q: %v", r, err)
			}
		})
	}
	// Whitespace and key order do not matter to a JSON reader; the
	// genuine proof re-indented still verifies.
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	if _, err := e.verify(base64.RawURLEncoding.EncodeToString(buf.Bytes())); err != nil {
		t.Fatalf("indented genuine proof: %v", err)
	}
}

func TestVerifyAccounts(t *testing.T) {
	e := newEnv(t)
	for _, accounts := range [][]string{nil, {"999999999999"}} {
		e.v.Accounts = accounts
		if _, err := e.verify(e.sign(nil)); ReasonOf(err) != ReasonAccount {
			t.Fatalf("accounts %v: %v", accounts, err)
		}
	}
}

func TestVerifySTSUnavailable(t *testing.T) {
	e := newEnv(t)
	e.sts.SetFault("GetCallerIdentity", 503, "ServiceUnavailable", "down")
	if _, err := e.verify(e.sign(nil)); !errors.Is(err, ErrSTSUnavailable) || errors.Is(err, ErrInvalidProof) {
		t.Fatalf("503: %v", err)
	}
	e.sts.SetFault("GetCallerIdentity", 400, "Throttling", "Rate exceeded")
	if _, err := e.verify(e.sign(nil)); !errors.Is(err, ErrSTSUnavailable) {
		t.Fatalf("throttled: %v", err)
	}
	e.sts.ClearFault("GetCallerIdentity")

	e.sts.SetDelay(2 * time.Second)
	e.v.Client = &http.Client{Timeout: 200 * time.Millisecond}
	if _, err := e.verify(e.sign(nil)); !errors.Is(err, ErrSTSUnavailable) {
		t.Fatalf("slow: %v", err)
	}
	e.sts.SetDelay(0)

	header := e.sign(nil)
	e.sts.Close()
	if _, err := e.verify(header); !errors.Is(err, ErrSTSUnavailable) {
		t.Fatalf("closed: %v", err)
	}

	// Nothing listening at all.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + l.Addr().String()
	l.Close()
	e.v = &Verifier{ServerID: serverID, STSEndpoint: addr, Region: region, Accounts: []string{userAccount}, Audiences: []string{audience}}
	h, err := Sign(context.Background(), e.creds, SignParams{STSEndpoint: addr, Region: region, ServerID: serverID, Audience: audience, RequestHash: RequestHash("POST", apiPath, apiBody)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.verify(h); !errors.Is(err, ErrSTSUnavailable) {
		t.Fatalf("refused connection: %v", err)
	}
}

func TestVerifyDoesNotFollowRedirects(t *testing.T) {
	e := newEnv(t)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, e.sts.URL()+"/", http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	e.v.STSEndpoint = redirector.URL
	for _, client := range []*http.Client{nil, {}} { // also a caller's client that would follow
		e.v.Client = client
		h := e.sign(func(p *SignParams) { p.STSEndpoint = redirector.URL })
		if _, err := e.verify(h); ReasonOf(err) != ReasonSTSAnswer {
			t.Fatalf("redirect: %v", err)
		}
	}
	if n := len(e.sts.Calls()); n != 0 {
		t.Fatalf("the redirect was followed: %d calls", n)
	}
}

func TestVerifyStrictSTSAnswer(t *testing.T) {
	const ok = `<?xml version="1.0" encoding="UTF-8"?>
<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::111122223333:user/alice</Arn>
    <UserId>AIDAEXAMPLEEXAMPLE01</UserId>
    <Account>111122223333</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>
`
	result := `<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/alice</Arn><UserId>AIDAEXAMPLEEXAMPLE01</UserId><Account>111122223333</Account></GetCallerIdentityResult>`
	meta := `<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>`
	wrap := func(inner string) string {
		return `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">` + inner + `</GetCallerIdentityResponse>`
	}
	cases := []struct {
		name, body string
		status     int
		accept     bool
	}{
		{"genuine", ok, 200, true},
		{"compact", wrap(result + meta), 200, true},
		{"leading garbage", `{"x":"` + wrap(result+meta) + `"}`, 200, false},
		{"trailing element", wrap(result+meta) + `<X/>`, 200, false},
		{"no namespace", strings.Replace(wrap(result+meta), ` xmlns="https://sts.amazonaws.com/doc/2011-06-15/"`, "", 1), 200, false},
		{"other namespace", strings.Replace(wrap(result+meta), "sts.amazonaws.com", "sts.example.com", 1), 200, false},
		{"nested in another root", `<Other xmlns="https://sts.amazonaws.com/doc/2011-06-15/">` + wrap(result+meta) + `</Other>`, 200, false},
		{"two results", wrap(result + result + meta), 200, false},
		{"duplicated Arn", wrap(strings.Replace(result, "<UserId>", "<Arn>arn:aws:iam::111122223333:user/bob</Arn><UserId>", 1) + meta), 200, false},
		{"extra element", wrap(strings.Replace(result, "<UserId>", "<Extra/><UserId>", 1) + meta), 200, false},
		{"missing metadata", wrap(result), 200, false},
		{"missing account", wrap(strings.Replace(result, "<Account>111122223333</Account>", "", 1) + meta), 200, false},
		{"account differs from ARN", wrap(strings.Replace(result, "<Account>111122223333", "<Account>444455556666", 1) + meta), 200, false},
		{"comment", wrap("<!-- x -->" + result + meta), 200, false},
		{"text in root", wrap("x" + result + meta), 200, false},
		{"201", ok, 201, false},
		{"json", `{"GetCallerIdentityResponse":{}}`, 200, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(c.body))
			}))
			defer srv.Close()
			creds := aws.Credentials{AccessKeyID: userKey, SecretAccessKey: userSecret}
			h, err := Sign(context.Background(), creds, SignParams{STSEndpoint: srv.URL, Region: region, ServerID: serverID, Audience: audience, RequestHash: RequestHash("POST", apiPath, apiBody)})
			if err != nil {
				t.Fatal(err)
			}
			v := &Verifier{ServerID: serverID, STSEndpoint: srv.URL, Region: region, Accounts: []string{userAccount}, Audiences: []string{audience}}
			id, err := v.Verify(context.Background(), h, "POST", apiPath, apiBody)
			if c.accept {
				if err != nil || id.ARN != userARN || id.UserID != "AIDAEXAMPLEEXAMPLE01" {
					t.Fatalf("%+v %v", id, err)
				}
				return
			}
			if ReasonOf(err) != ReasonSTSAnswer {
				t.Fatalf("accepted or wrong reason: %+v %v", id, err)
			}
		})
	}
}

func TestVerifierConfig(t *testing.T) {
	good := Verifier{ServerID: serverID, STSEndpoint: "https://sts.eu-west-1.amazonaws.com", Region: region, Audiences: []string{audience}}
	cases := map[string]func(*Verifier){
		"no server ID":           func(v *Verifier) { v.ServerID = "" },
		"no region":              func(v *Verifier) { v.Region = "" },
		"no endpoint":            func(v *Verifier) { v.STSEndpoint = "" },
		"endpoint query":         func(v *Verifier) { v.STSEndpoint += "/?Action=GetCallerIdentity" },
		"no audience":            func(v *Verifier) { v.Audiences = nil },
		"audience not canonical": func(v *Verifier) { v.Audiences = []string{"https://Team.example.com/"} },
	}
	for name, mutate := range cases {
		v := good
		mutate(&v)
		_, err := v.Verify(context.Background(), "x", "GET", "/v1/whoami", nil)
		if !errors.Is(err, ErrVerifierConfig) || errors.Is(err, ErrInvalidProof) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestEndpointNormalForm(t *testing.T) {
	same := [][2]string{
		{"https://sts.amazonaws.com", "https://sts.amazonaws.com/"},
		{"https://sts.amazonaws.com:443", "https://STS.amazonaws.com"},
		{"http://127.0.0.1:80/", "HTTP://127.0.0.1"},
	}
	for _, p := range same {
		a, err1 := parseEndpoint(p[0])
		b, err2 := parseEndpoint(p[1])
		if err1 != nil || err2 != nil || *a != *b {
			t.Errorf("%s and %s differ: %v %v", p[0], p[1], err1, err2)
		}
	}
	for _, bad := range []string{"https://sts.amazonaws.com/%2e%2e/", "https://sts.amazonaws.com/a/../b", "https://sts.amazonaws.com:", "https://sts.amazonaws.com:x", "https://a b", "//sts.amazonaws.com", "sts.amazonaws.com", "https://sts.amazonaws.com\\@evil"} {
		if _, err := parseEndpoint(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// TestVerifyConcurrent shares one Verifier between goroutines, as the
// service does; run with -race.
func TestVerifyConcurrent(t *testing.T) {
	e := newEnv(t)
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		go func(i int) {
			body := []byte(`{"n":` + string(rune('a'+i)) + `}`)
			h, err := Sign(context.Background(), e.creds, SignParams{STSEndpoint: e.sts.URL(), Region: region, ServerID: serverID, Audience: audience, RequestHash: RequestHash("POST", apiPath, body)})
			if err == nil {
				_, err = e.v.Verify(context.Background(), h, "POST", apiPath, body)
			}
			errs <- err
		}(i)
	}
	for i := 0; i < 16; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
