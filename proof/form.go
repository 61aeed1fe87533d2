package proof

import (
	"net/url"
	"strings"
)

// checkBody accepts exactly the form Action=GetCallerIdentity and
// Version=2011-06-15, in either order, each once and nothing else. A
// duplicated key or any other key is refused rather than dropped: a parser
// that keeps the first of two values while STS keeps the other is how
// aws-iam-authenticator was fooled (CVE-2022-2385).
func checkBody(body string) error {
	bad := func(why string) error { return refuse(ReasonBody, why) }
	if len(body) > 256 {
		return bad("too long")
	}
	seen := map[string]string{}
	for _, pair := range strings.Split(body, "&") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok {
			return bad("pair without =")
		}
		key, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return bad("malformed escape")
		}
		if _, dup := seen[key]; dup {
			return bad("duplicated key")
		}
		seen[key] = value
		switch key {
		case "Action", "Version":
		default:
			return bad("key other than Action and Version")
		}
	}
	if seen["Action"] != "GetCallerIdentity" {
		return bad("action is not GetCallerIdentity")
	}
	if seen["Version"] != "2011-06-15" {
		return bad("version is not 2011-06-15")
	}
	return nil
}
