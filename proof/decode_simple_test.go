package proof

import (
	"context"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// decodeSimpleCases are JSON texts around the edges of what decodeSimple
// takes; ok says whether it takes them.
var decodeSimpleCases = []struct {
	name string
	js   string
	ok   bool
}{
	{"typical", `{"method":"POST","url":"https://sts.example/","headers":{"Content-Type":["application/x-www-form-urlencoded"],"X-Amz-Date":["20260301T120000Z"]},"body":"Action=GetCallerIdentity&Version=2011-06-15"}`, true},
	{"whitespace", " {\n\t\"method\" : \"POST\" ,\r\"url\":\"u\", \"headers\" : { \"A\" : [ \"1\" , \"2\" ] , \"B\":[] } , \"body\":\"\" } \n", true},
	{"empty headers", `{"method":"POST","url":"u","headers":{},"body":""}`, true},
	{"escapes", `{"method":"POST","url":"u\/v\"\\\b\f\n\r\t","headers":{"a\u0026":["\u00fc\u20AC\u0000"]},"body":"a=1\u0026b=2"}`, true},
	{"surrogate escape", `{"method":"POST","url":"\ud83d\ude00","headers":{},"body":""}`, false},
	{"short \\u escape", `{"method":"POST","url":"\u00f","headers":{},"body":""}`, false},
	{"bad \\u escape", `{"method":"POST","url":"\u00fg","headers":{},"body":""}`, false},
	{"unknown escape", `{"method":"POST","url":"\x","headers":{},"body":""}`, false},
	{"escape at the end", `{"method":"POST","url":"\`, false},
	{"non-ASCII", `{"method":"POST","url":"ü","headers":{},"body":""}`, false},
	{"control", "{\"method\":\"PO\tST\",\"url\":\"u\",\"headers\":{},\"body\":\"\"}", false},
	{"duplicated key", `{"method":"POST","method":"POST","url":"u","headers":{},"body":""}`, false},
	{"missing key", `{"method":"POST","url":"u","headers":{}}`, false},
	{"unknown key", `{"method":"POST","url":"u","headers":{},"body":"","x":""}`, false},
	{"key in another case", `{"Method":"POST","url":"u","headers":{},"body":""}`, false},
	{"header twice in another case", `{"method":"POST","url":"u","headers":{"a":["1"],"A":["2"]},"body":""}`, false},
	{"header value a number", `{"method":"POST","url":"u","headers":{"a":[1]},"body":""}`, false},
	{"header values not an array", `{"method":"POST","url":"u","headers":{"a":"1"},"body":""}`, false},
	{"trailing comma", `{"method":"POST","url":"u","headers":{},"body":"",}`, false},
	{"trailing comma in values", `{"method":"POST","url":"u","headers":{"a":["1",]},"body":""}`, false},
	{"leading comma", `{,"method":"POST","url":"u","headers":{},"body":""}`, false},
	{"missing colon", `{"method" "POST","url":"u","headers":{},"body":""}`, false},
	{"data after", `{"method":"POST","url":"u","headers":{},"body":""}{}`, false},
	{"unterminated", `{"method":"POST","url":"u","headers":{},"body":""`, false},
	{"null", `{"method":null,"url":"u","headers":{},"body":""}`, false},
	{"not an object", `["method"]`, false},
	{"empty", ``, false},
}

// TestDecodeSimple pins what the fast path takes, and that what it takes
// decodes exactly as decodeJSON decodes it.
func TestDecodeSimple(t *testing.T) {
	for _, tc := range decodeSimpleCases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := decodeSimple([]byte(tc.js))
			if ok != tc.ok {
				t.Fatalf("decodeSimple ok = %v, want %v", ok, tc.ok)
			}
			checkSameAsDecodeJSON(t, []byte(tc.js))
			if !ok && !reflect.DeepEqual(got, wireProof{}) {
				t.Fatalf("refused, yet returned %+v", got)
			}
		})
	}
}

// FuzzDecodeSimple checks, on any input, that the fast path never takes
// what decodeJSON refuses and never decodes differently.
func FuzzDecodeSimple(f *testing.F) {
	for _, tc := range decodeSimpleCases {
		f.Add([]byte(tc.js))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkSameAsDecodeJSON(t, raw)
	})
}

// checkSameAsDecodeJSON fails when decodeSimple takes raw and decodeJSON
// refuses it or decodes it to something else.
func checkSameAsDecodeJSON(t *testing.T, raw []byte) {
	t.Helper()
	got, ok := decodeSimple(raw)
	if !ok {
		return
	}
	want, err := decodeJSON(raw)
	if err != nil {
		t.Fatalf("decodeSimple took %q, decodeJSON refuses it: %v", raw, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeSimple(%q) = %#v, decodeJSON = %#v", raw, got, want)
	}
}

// TestDecodeSimpleTakesSignedProof pins that a proof as Sign makes it, with
// a session token, takes the fast path.
func TestDecodeSimpleTakesSignedProof(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	creds := aws.Credentials{AccessKeyID: userKey, SecretAccessKey: userSecret, SessionToken: strings.Repeat("IQoJb3JpZ2luX2VjE+/=", 40)}
	h, err := Sign(context.Background(), creds, SignParams{STSEndpoint: "https://sts.us-east-1.amazonaws.com/", Region: region, ServerID: serverID, Audience: audience, RequestHash: RequestHash("POST", apiPath, apiBody), Now: at})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := decodeSimple(raw); !ok {
		t.Fatalf("a signed proof does not take the fast path: %s", raw)
	}
	checkSameAsDecodeJSON(t, raw)
}

// BenchmarkDecodeProof compares the fast path with the token walk on a
// signed proof: go test -run '^$' -bench DecodeProof -benchmem ./proof
func BenchmarkDecodeProof(b *testing.B) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	creds := aws.Credentials{AccessKeyID: userKey, SecretAccessKey: userSecret, SessionToken: strings.Repeat("IQoJb3JpZ2luX2VjE+/=", 40)}
	h, err := Sign(context.Background(), creds, SignParams{STSEndpoint: "https://sts.us-east-1.amazonaws.com/", Region: region, ServerID: serverID, Audience: audience, RequestHash: RequestHash("POST", apiPath, apiBody), Now: at})
	if err != nil {
		b.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("simple", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := decodeSimple(raw); !ok {
				b.Fatal("refused")
			}
		}
	})
	b.Run("tokens", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeJSON(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}
