package fakests

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The patterns below are the constraints real STS applies to each
// parameter, so the stand-in rejects what production would.
var (
	// roleARNPattern matches arn:aws:iam::ACCOUNT:role/[PATH/]NAME and
	// captures the account and the role name.
	roleARNPattern = regexp.MustCompile(`^arn:aws:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$`)
	// sessionNamePattern is RoleSessionName: 2-64 of [\w+=,.@-].
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	// sourceIdentityPattern is SourceIdentity: 2-64 of [A-Za-z0-9_+=,.@-];
	// a colon in particular is refused.
	sourceIdentityPattern = regexp.MustCompile(`^[A-Za-z0-9_+=,.@-]{2,64}$`)
	// externalIDPattern is the alphabet of ExternalId; its length (2-1224)
	// is checked apart, as Go's regexp caps repeat counts at 1000.
	externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
	// serialNumberPattern is SerialNumber: 9-256 of [\w+=/:,.@-].
	serialNumberPattern = regexp.MustCompile(`^[\w+=/:,.@-]{9,256}$`)
	// tokenCodePattern is TokenCode: exactly six digits.
	tokenCodePattern = regexp.MustCompile(`^\d{6}$`)
)

// Limits of DurationSeconds, in seconds.
const (
	minDuration             = 900
	maxAssumeRoleDuration   = 43200
	maxChainedRoleDuration  = 3600 // role chaining caps sessions at one hour
	maxSessionTokenDuration = 129600
	defaultAssumeRoleTTL    = 3600
	defaultSessionTokenTTL  = 43200
)

// maxTags is the most session tags one AssumeRole may pass.
const maxTags = 50

// validationError returns a 400 ValidationError with a message in the
// "1 validation error detected" style of STS.
func validationError(format string, args ...any) *apiError {
	return &apiError{
		status:  http.StatusBadRequest,
		code:    "ValidationError",
		message: "1 validation error detected: " + fmt.Sprintf(format, args...),
	}
}

// parseDuration reads DurationSeconds from form: def when absent, an error
// when not an integer in [minDuration, max].
func parseDuration(form url.Values, def, max int) (int, *apiError) {
	if !form.Has("DurationSeconds") {
		return def, nil
	}
	raw := form.Get("DurationSeconds")
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, validationError("Value %q at 'durationSeconds' failed to satisfy constraint: Member must be an integer", raw)
	}
	if n < minDuration || n > max {
		return 0, validationError("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value between %d and %d", n, minDuration, max)
	}
	return n, nil
}

// checkSourceIdentity validates a SourceIdentity that is present in the
// request, empty included.
func checkSourceIdentity(v string) *apiError {
	if !sourceIdentityPattern.MatchString(v) {
		return validationError("Value at 'sourceIdentity' failed to satisfy constraint: Member must have length between 2 and 64 and satisfy regular expression pattern: [\\w+=,.@-]*")
	}
	// STS reserves the aws: prefix. The pattern above already refuses it
	// (no colon allowed); the check stays so the rule is written down.
	if strings.HasPrefix(strings.ToLower(v), "aws:") {
		return validationError("Value at 'sourceIdentity' failed to satisfy constraint: Member must not begin with aws:")
	}
	return nil
}

// validExternalID reports whether v is a well-formed ExternalId.
func validExternalID(v string) bool {
	return len(v) >= 2 && len(v) <= 1224 && externalIDPattern.MatchString(v)
}

// tag is one session tag of an AssumeRole.
type tag struct {
	key   string
	value string
}

// parseTags reads Tags.member.N.Key/.Value for N = 1, 2, ... until the first
// missing key, as the query protocol numbers list members from 1.
func parseTags(form url.Values) ([]tag, *apiError) {
	var tags []tag
	seen := make(map[string]bool)
	for n := 1; ; n++ {
		prefix := "Tags.member." + strconv.Itoa(n)
		if !form.Has(prefix + ".Key") {
			break
		}
		if n > maxTags {
			return nil, validationError("Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", maxTags)
		}
		t := tag{key: form.Get(prefix + ".Key"), value: form.Get(prefix + ".Value")}
		if k := utf8.RuneCountInString(t.key); k < 1 || k > 128 {
			return nil, validationError("Value at 'tags.%d.member.key' failed to satisfy constraint: Member must have length between 1 and 128", n)
		}
		if utf8.RuneCountInString(t.value) > 256 {
			return nil, validationError("Value at 'tags.%d.member.value' failed to satisfy constraint: Member must have length less than or equal to 256", n)
		}
		// Tag keys are case-insensitive in STS, so Team and team clash.
		folded := strings.ToLower(t.key)
		if seen[folded] {
			return nil, validationError("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[folded] = true
		tags = append(tags, t)
	}
	return tags, nil
}

// parseRoleARN returns the account and the role name of a role ARN.
func parseRoleARN(v string) (account, name string, e *apiError) {
	m := roleARNPattern.FindStringSubmatch(v)
	if m == nil {
		return "", "", validationError("Value at 'roleArn' failed to satisfy constraint: Member must be a role ARN of the form arn:aws:iam::ACCOUNT:role/NAME")
	}
	return m[1], m[2], nil
}
