package vault

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// awsSTSHost matches the host names of AWS's own STS endpoints: global,
// regional, FIPS and dual-stack, in the aws and aws-cn partitions. Other
// hosts under amazonaws.com (an API Gateway, a bucket) are not STS and
// can be anyone's.
// Compiled on first use, not by every process at start-up.
var awsSTSHost = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^sts(-fips)?(\.[a-z0-9-]+)?\.(amazonaws\.com|amazonaws\.com\.cn|api\.aws)$`)
})

// NonAWSSTSEndpoint returns the STS endpoint a process was pointed at
// (STSOptions.Endpoint) when it is not one of AWS's own, for the decision
// log: scheme, host, port and path only, never user info or a query. It
// returns "" when endpoint is empty or is AWS's own over https, and
// "unparsable" for what is not a URL.
func NonAWSSTSEndpoint(endpoint string) string {
	if endpoint == "" {
		return ""
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return "unparsable"
	}
	host := strings.ToLower(u.Hostname())
	if strings.EqualFold(u.Scheme, "https") && (u.Port() == "" || u.Port() == "443") &&
		(u.Path == "" || u.Path == "/") && awsSTSHost().MatchString(host) {
		return ""
	}
	clean := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	return clean.String()
}
