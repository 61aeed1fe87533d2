package proof

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestRequestHash(t *testing.T) {
	// printf 'POST\n/v1/credentials\n{}' | sha256sum
	const want = "cdbcf9776efa75dd3455c5bff399397bfdbc6acba078a7c771bb7a967eaa2e67"
	if got := RequestHash("POST", "/v1/credentials", []byte("{}")); got != want {
		t.Fatalf("RequestHash = %s, want %s", got, want)
	}
	if RequestHash("POST", "/v1/credentials", []byte("{ }")) == want {
		t.Fatal("different bodies give the same hash")
	}
}

func TestSignShape(t *testing.T) {
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "not-a-real-secret", SessionToken: "tok"}
	p := SignParams{
		STSEndpoint: "http://127.0.0.1:8080",
		Region:      "eu-west-1",
		ServerID:    "team-test",
		Audience:    "http://127.0.0.1:9000",
		RequestHash: RequestHash("GET", "/v1/whoami", nil),
		Now:         time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	h, err := Sign(context.Background(), creds, p)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	var w wireProof
	if err := json.Unmarshal(raw, &w); err != nil {
		t.Fatal(err)
	}
	if w.Method != "POST" || w.URL != "http://127.0.0.1:8080/" || w.Body != stsBody {
		t.Fatalf("unexpected proof %+v", w)
	}
	auth := w.Headers["Authorization"]
	if len(auth) != 1 || !strings.Contains(auth[0], "SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-security-token;x-sentinel-audience;x-sentinel-request-sha256;x-sentinel-server-id,") {
		t.Fatalf("unexpected Authorization %q", auth)
	}
	if _, ok := w.Headers["Host"]; ok {
		t.Fatal("proof carries Host")
	}
	if strings.Contains(string(raw), "not-a-real-secret") {
		t.Fatal("secret key in the proof")
	}
}

func TestSignRefusesBadParams(t *testing.T) {
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "not-a-real-secret"}
	good := SignParams{STSEndpoint: "https://sts.eu-west-1.amazonaws.com", Region: "eu-west-1", ServerID: "s", Audience: "https://team.example.com", RequestHash: RequestHash("GET", "/v1/whoami", nil)}
	cases := map[string]func(*SignParams){
		"query":                  func(p *SignParams) { p.STSEndpoint += "/?Action=AssumeRole" },
		"userinfo":               func(p *SignParams) { p.STSEndpoint = "https://u@sts.amazonaws.com" },
		"fragment":               func(p *SignParams) { p.STSEndpoint += "#x" },
		"scheme":                 func(p *SignParams) { p.STSEndpoint = "ftp://sts.amazonaws.com" },
		"no region":              func(p *SignParams) { p.Region = "" },
		"no server":              func(p *SignParams) { p.ServerID = "" },
		"ctl in id":              func(p *SignParams) { p.ServerID = "a\nb" },
		"bad hash":               func(p *SignParams) { p.RequestHash = "ABC" },
		"no audience":            func(p *SignParams) { p.Audience = "" },
		"audience not canonical": func(p *SignParams) { p.Audience = "https://Team.example.com/" },
		"audience with a query":  func(p *SignParams) { p.Audience = "https://team.example.com?x=1" },
	}
	for name, mutate := range cases {
		p := good
		mutate(&p)
		if _, err := Sign(context.Background(), creds, p); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
	if _, err := Sign(context.Background(), aws.Credentials{}, good); err == nil {
		t.Error("signed without credentials")
	}
	if _, err := Sign(context.Background(), creds, good); err != nil {
		t.Errorf("good params: %v", err)
	}
}
