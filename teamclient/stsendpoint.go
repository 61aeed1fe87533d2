package teamclient

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// regionPattern is what an AWS region name looks like (us-east-1,
// us-gov-west-1, cn-north-1, eu-central-2).
// Compiled on first use, not by every process at start-up.
var regionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`) })

// awsSTSHost matches the hosts of AWS STS: the global endpoint, the
// regional ones, their FIPS forms, and the China partition's.
// Compiled on first use, not by every process at start-up.
var awsSTSHost = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^sts(-fips)?(\.([a-z]{2}(-[a-z]+)+-[0-9]{1,2}))?\.amazonaws\.com(\.cn)?$`)
})

// IsAWSSTSEndpoint reports whether endpoint is an AWS STS endpoint:
// https, a host of the forms sts.amazonaws.com, sts.REGION.amazonaws.com,
// sts-fips.REGION.amazonaws.com or sts.REGION.amazonaws.com.cn, no port,
// user, query or fragment, and an empty path or "/".
func IsAWSSTSEndpoint(endpoint string) bool {
	if !strings.HasPrefix(endpoint, "https://") {
		return false
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "https" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	if u.Port() != "" || (u.Path != "" && u.Path != "/") {
		return false
	}
	m := awsSTSHost().FindStringSubmatch(u.Host)
	if m == nil {
		return false
	}
	// The China partition has only regional endpoints in cn- regions.
	if m[5] == ".cn" && !strings.HasPrefix(m[3], "cn-") {
		return false
	}
	if m[5] == "" && strings.HasPrefix(m[3], "cn-") {
		return false
	}
	return true
}

// sameEndpoint compares two endpoint URLs ignoring one trailing slash and
// the case of the scheme and host.
func sameEndpoint(a, b string) bool {
	norm := func(s string) string {
		u, err := url.Parse(s)
		if err != nil {
			return "\x00invalid"
		}
		u.Scheme = strings.ToLower(u.Scheme)
		u.Host = strings.ToLower(u.Host)
		u.Path = strings.TrimSuffix(u.Path, "/")
		return u.String()
	}
	return a != "" && b != "" && norm(a) == norm(b)
}
