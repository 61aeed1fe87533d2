package fakests

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestCheckSourceIdentity(t *testing.T) {
	tests := []struct {
		value string
		ok    bool
	}{
		{"alice", true},
		{"ab", true},
		{"alice@example.com", true},
		{"a_b+c=d,e.f@g-h", true},
		{strings.Repeat("x", 64), true},
		{"", false},
		{"a", false},
		{strings.Repeat("x", 65), false},
		{"sentinel:alice", false},
		{"aws:alice", false},
		{"AWS:alice", false},
		{"alice smith", false},
		{"alice/smith", false},
		{"ålice", false},
	}
	for _, tt := range tests {
		err := checkSourceIdentity(tt.value)
		if (err == nil) != tt.ok {
			t.Errorf("checkSourceIdentity(%q) = %v, want ok=%v", tt.value, err, tt.ok)
		}
		if err != nil && (err.status != 400 || err.code != "ValidationError") {
			t.Errorf("checkSourceIdentity(%q) = %d %s, want 400 ValidationError", tt.value, err.status, err.code)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		name   string
		form   url.Values
		want   int
		wantOK bool
	}{
		{"absent gives the default", url.Values{}, 3600, true},
		{"lowest", url.Values{"DurationSeconds": {"900"}}, 900, true},
		{"highest", url.Values{"DurationSeconds": {"43200"}}, 43200, true},
		{"below", url.Values{"DurationSeconds": {"899"}}, 0, false},
		{"above", url.Values{"DurationSeconds": {"43201"}}, 0, false},
		{"negative", url.Values{"DurationSeconds": {"-900"}}, 0, false},
		{"not a number", url.Values{"DurationSeconds": {"1h"}}, 0, false},
		{"empty", url.Values{"DurationSeconds": {""}}, 0, false},
		{"huge", url.Values{"DurationSeconds": {"99999999999999999999"}}, 0, false},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.form, 3600, 43200)
		if (err == nil) != tt.wantOK || got != tt.want {
			t.Errorf("%s: parseDuration = %d, %v; want %d, ok=%v", tt.name, got, err, tt.want, tt.wantOK)
		}
	}
}

func TestParseTags(t *testing.T) {
	tags := func(pairs ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(pairs); i += 2 {
			n := len(v)/2 + 1
			v.Set("Tags.member."+strconv.Itoa(n)+".Key", pairs[i])
			v.Set("Tags.member."+strconv.Itoa(n)+".Value", pairs[i+1])
		}
		return v
	}
	many := url.Values{}
	for n := 1; n <= 51; n++ {
		many.Set("Tags.member."+strconv.Itoa(n)+".Key", "k"+strconv.Itoa(n))
	}
	tests := []struct {
		name   string
		form   url.Values
		want   int
		wantOK bool
	}{
		{"none", url.Values{}, 0, true},
		{"two", tags("team", "payments", "env", ""), 2, true},
		{"gap ends the list", url.Values{"Tags.member.1.Key": {"a"}, "Tags.member.3.Key": {"c"}}, 1, true},
		{"empty key", tags("", "v"), 0, false},
		{"long key", tags(strings.Repeat("k", 129), "v"), 0, false},
		{"long value", tags("k", strings.Repeat("v", 257)), 0, false},
		{"duplicate keys by case", tags("Team", "a", "team", "b"), 0, false},
		{"51 tags", many, 0, false},
	}
	for _, tt := range tests {
		got, err := parseTags(tt.form)
		if (err == nil) != tt.wantOK || len(got) != tt.want {
			t.Errorf("%s: parseTags = %v, %v; want %d tags, ok=%v", tt.name, got, err, tt.want, tt.wantOK)
		}
	}
}

func TestParseRoleARN(t *testing.T) {
	tests := []struct {
		arn         string
		wantAccount string
		wantName    string
	}{
		{"arn:aws:iam::444455556666:role/deploy", "444455556666", "deploy"},
		{"arn:aws:iam::444455556666:role/team/ops/deploy", "444455556666", "deploy"},
		{"arn:aws:iam::444455556666:role/a+b=c,d.e@f-g_h", "444455556666", "a+b=c,d.e@f-g_h"},
		{"arn:aws:iam::44445555666:role/deploy", "", ""},
		{"arn:aws:iam::444455556666:user/deploy", "", ""},
		{"arn:aws:iam::444455556666:role/", "", ""},
		{"arn:aws:sts::444455556666:assumed-role/deploy/s", "", ""},
		{"arn:aws:iam::444455556666:role/" + strings.Repeat("r", 65), "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		account, name, err := parseRoleARN(tt.arn)
		if (err == nil) != (tt.wantName != "") || account != tt.wantAccount || name != tt.wantName {
			t.Errorf("parseRoleARN(%q) = %q, %q, %v; want %q, %q", tt.arn, account, name, err, tt.wantAccount, tt.wantName)
		}
	}
}

func TestAccessKeyFromAuthorization(t *testing.T) {
	tests := []struct {
		header string
		want   string
	}{
		{sigV4(aliceKey), aliceKey},
		{"AWS4-HMAC-SHA256 Credential=ASIAABCDEFGHIJKLMNOP/20260301/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=ab", "ASIAABCDEFGHIJKLMNOP"},
		{"AWS4-HMAC-SHA256 Credential=AKIAALICEEXAMPLE0001, SignedHeaders=host", aliceKey},
		{"", ""},
		{"Bearer token", ""},
		{"AWS4-HMAC-SHA256 Credential=/20260301/us-east-1/sts/aws4_request", ""},
		{"AWS4-HMAC-SHA256 Credential=akiaalicelowercase01/x", ""},
		{"AWS4-HMAC-SHA256 Credential=AKIA<script>00000000/x", ""},
		{"AWS4-HMAC-SHA256 Credential=AKIASHORT/x", ""},
	}
	for _, tt := range tests {
		if got := accessKeyFromAuthorization(tt.header); got != tt.want {
			t.Errorf("accessKeyFromAuthorization(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestDerivedID(t *testing.T) {
	a, b := derivedID("AROA", roleARN), derivedID("AROA", otherRoleARN)
	if a != derivedID("AROA", roleARN) {
		t.Error("derivedID is not stable")
	}
	if a == b {
		t.Error("two roles share an ID")
	}
	if len(a) != 21 || strings.Trim(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		t.Errorf("derivedID = %q, want 21 upper-case base32 characters", a)
	}
}
