package vault

import "testing"

func TestNonAWSSTSEndpoint(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"https://sts.amazonaws.com", ""},
		{"https://sts.eu-west-1.amazonaws.com/", ""},
		{"https://STS.us-gov-west-1.amazonaws.com", ""},
		{"https://sts-fips.us-east-1.amazonaws.com", ""},
		{"https://sts.cn-north-1.amazonaws.com.cn", ""},
		{"https://sts.eu-west-1.api.aws", ""},
		{"https://sts.eu-west-1.amazonaws.com:443", ""},
		{"http://127.0.0.1:4566", "http://127.0.0.1:4566"},
		{"http://sts.eu-west-1.amazonaws.com", "http://sts.eu-west-1.amazonaws.com"},
		{"https://sts.eu-west-1.amazonaws.com:8443", "https://sts.eu-west-1.amazonaws.com:8443"},
		{"https://abc123.execute-api.eu-west-1.amazonaws.com/prod", "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"},
		{"https://sts.eu-west-1.amazonaws.com.evil.example", "https://sts.eu-west-1.amazonaws.com.evil.example"},
		{"https://user:secret@sts.example.com/x?token=abc#f", "https://sts.example.com/x"},
		{"not a url", "unparsable"},
		{"://", "unparsable"},
	} {
		if got := NonAWSSTSEndpoint(tc.in); got != tc.want {
			t.Errorf("NonAWSSTSEndpoint(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzNonAWSSTSEndpoint(f *testing.F) {
	f.Add("https://sts.amazonaws.com")
	f.Add("https://u:p@h/x?q")
	f.Fuzz(func(t *testing.T, in string) {
		out := NonAWSSTSEndpoint(in)
		if in == "" && out != "" {
			t.Fatalf("%q for an empty endpoint", out)
		}
		for _, c := range out {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("control character in %q", out)
			}
		}
	})
}
