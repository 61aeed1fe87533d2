package proof

import (
	"reflect"
	"testing"
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
	{"escape", `{"method":"POST","url":"u\/v","headers":{},"body":""}`, false},
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
