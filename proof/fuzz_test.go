package proof

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sentinel-cli/sentinel/internal/fakests"
)

// FuzzVerifyHeader sends arbitrary header values through the whole
// verification, STS stand-in included. Nothing may panic, every failure is
// one of the two documented errors, and a success needs the signature of
// the one genuine proof of the seed corpus.
func FuzzVerifyHeader(f *testing.F) {
	f.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv := fakests.New()
	defer srv.Close()
	srv.SetNow(func() time.Time { return at })
	srv.AddUserWithSecret(userKey, userSecret, userARN, userAccount)
	v := &Verifier{ServerID: serverID, STSEndpoint: srv.URL(), Region: region, Accounts: []string{userAccount}, Audiences: []string{audience}, Now: func() time.Time { return at }}

	creds := aws.Credentials{AccessKeyID: userKey, SecretAccessKey: userSecret}
	genuine, err := Sign(context.Background(), creds, SignParams{STSEndpoint: srv.URL(), Region: region, ServerID: serverID, Audience: audience, RequestHash: RequestHash("POST", apiPath, apiBody), Now: at})
	if err != nil {
		f.Fatal(err)
	}
	w, err := decodeHeader(genuine)
	if err != nil {
		f.Fatal(err)
	}
	genuineAuth := w.Headers["Authorization"][0]

	f.Add(genuine)
	for _, mutate := range []func(*wireProof){
		func(p *wireProof) { p.Body += "&Action=AssumeRole" },
		func(p *wireProof) { p.URL += "?Action=GetCallerIdentity" },
		func(p *wireProof) { p.Headers["Host"] = []string{"sts.amazonaws.com"} },
		func(p *wireProof) { p.Headers[ServerIDHeader] = []string{"other"} },
		func(p *wireProof) {
			p.Headers["Authorization"] = []string{strings.Replace(genuineAuth, "Signature=", "Signature=0", 1)[:len(genuineAuth)]}
		},
	} {
		c := wireProof{Method: w.Method, URL: w.URL, Body: w.Body, Headers: map[string][]string{}}
		for k, vs := range w.Headers {
			c.Headers[k] = append([]string(nil), vs...)
		}
		mutate(&c)
		f.Add(encode(f, c))
	}
	f.Add("")
	f.Add("e30")

	f.Fuzz(func(t *testing.T, header string) {
		id, err := v.Verify(context.Background(), header, "POST", apiPath, apiBody)
		if err != nil {
			if !errors.Is(err, ErrInvalidProof) && !errors.Is(err, ErrSTSUnavailable) {
				t.Fatalf("undocumented error %v", err)
			}
			if strings.Contains(err.Error(), userSecret) {
				t.Fatal("secret in an error")
			}
			return
		}
		p, derr := decodeHeader(header)
		if derr != nil || p.Headers["Authorization"][0] != genuineAuth || id.ARN != userARN {
			t.Fatalf("accepted a proof without the genuine signature: %q", header)
		}
	})
}

// FuzzCheckBody: whatever checkBody accepts, Go's form parser (and so STS)
// reads as exactly Action=GetCallerIdentity and Version=2011-06-15.
func FuzzCheckBody(f *testing.F) {
	for _, s := range []string{stsBody, "Version=2011-06-15&Action=GetCallerIdentity", stsBody + "&Action=AssumeRole",
		"Action=GetCallerIdentity;Version=2011-06-15", "Acti%6Fn=GetCallerIdentity&Version=2011-06-15", "Action=GetCallerIdentity&Version=2011-06-15&", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if checkBody(body) != nil {
			return
		}
		q, err := url.ParseQuery(body)
		want := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
		if err != nil || !reflect.DeepEqual(q, want) {
			t.Fatalf("accepted %q, which parses as %v (%v)", body, q, err)
		}
	})
}

// FuzzParseAuthorization: whatever is accepted is exactly the SDK's form,
// so rendering it again gives the input back.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAPROOFTESTUSER001/20260301/eu-west-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + strings.Repeat("ab", 32))
	f.Add("AWS4-HMAC-SHA256 Credential=A/B/C/D/aws4_request, SignedHeaders=a, Signature=b")
	f.Add("AWS4-HMAC-SHA256 SignedHeaders=host, Credential=AKIAPROOFTESTUSER001/20260301/eu-west-1/sts/aws4_request, Signature=" + strings.Repeat("0", 64))
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseAuthorization(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidProof) {
				t.Fatalf("undocumented error %v", err)
			}
			return
		}
		sig := s[strings.LastIndex(s, "Signature=")+len("Signature="):]
		again := "AWS4-HMAC-SHA256 Credential=" + a.accessKeyID + "/" + a.date + "/" + a.region + "/" + a.service + "/aws4_request, SignedHeaders=" + strings.Join(a.signedHeaders, ";") + ", Signature=" + sig
		if again != s {
			t.Fatalf("accepted %q, renders as %q", s, again)
		}
	})
}

// FuzzDecodeHeader: no panic, and whatever is accepted survives a round
// trip through the encoder.
func FuzzDecodeHeader(f *testing.F) {
	f.Add(`{"method":"POST","url":"u","headers":{"A":["b"]},"body":"x"}`)
	f.Add(`{"method":"POST","method":"GET","url":"u","headers":{},"body":"x"}`)
	f.Add(`{"method":"POST","url":"u","headers":{"A":["b"],"a":["c"]},"body":"x"}`)
	f.Fuzz(func(t *testing.T, js string) {
		w, err := decodeHeader(base64.RawURLEncoding.EncodeToString([]byte(js)))
		if err != nil {
			if !errors.Is(err, ErrInvalidProof) {
				t.Fatalf("undocumented error %v", err)
			}
			return
		}
		again, err := decodeHeader(encode(t, w))
		if err != nil || !reflect.DeepEqual(normalise(again), normalise(w)) {
			t.Fatalf("round trip of %q: %+v %v", js, again, err)
		}
	})
}

func normalise(w wireProof) wireProof {
	for k, v := range w.Headers {
		if v == nil {
			w.Headers[k] = []string{}
		}
	}
	return w
}

// FuzzParseAnswer: no panic, and what the strict parser accepts reads the
// same with encoding/xml.
func FuzzParseAnswer(f *testing.F) {
	f.Add(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>a</Arn><UserId>u</UserId><Account>1</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	f.Add(`<?xml version="1.0"?><GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"></GetCallerIdentityResponse>`)
	f.Fuzz(func(t *testing.T, s string) {
		id, err := parseAnswer([]byte(s))
		if err != nil {
			if !errors.Is(err, ErrInvalidProof) {
				t.Fatalf("undocumented error %v", err)
			}
			return
		}
		var std struct {
			Result struct {
				Arn     string `xml:"Arn"`
				UserID  string `xml:"UserId"`
				Account string `xml:"Account"`
			} `xml:"GetCallerIdentityResult"`
		}
		if err := xml.Unmarshal([]byte(s), &std); err != nil {
			t.Fatalf("accepted %q, which encoding/xml refuses: %v", s, err)
		}
		if strings.TrimSpace(std.Result.Arn) != id.arn || strings.TrimSpace(std.Result.UserID) != id.userID || strings.TrimSpace(std.Result.Account) != id.account {
			t.Fatalf("accepted %q as %+v, encoding/xml reads %+v", s, id, std.Result)
		}
	})
}
