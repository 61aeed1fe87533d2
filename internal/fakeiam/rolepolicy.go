package fakeiam

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits IAM applies to a role's inline policies.
const (
	// maxRolePolicyAggregate is the quota on the summed size of all inline
	// policies of one role, counted in characters without whitespace.
	maxRolePolicyAggregate = 10240
	// maxPolicyDocumentLength is the length limit of the PolicyDocument
	// parameter itself.
	maxPolicyDocumentLength = 131072
	// defaultMaxItems and maxMaxItems bound ListRolePolicies pages.
	defaultMaxItems = 100
	maxMaxItems     = 1000
)

var (
	// roleARNPattern captures the account and the name of a role ARN
	// (arn:aws:iam::ACCOUNT:role/[PATH/]NAME).
	roleARNPattern = regexp.MustCompile(`^arn:aws:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$`)
	// entityNamePattern is IAM's pattern for RoleName and PolicyName; the
	// length (1..128) is checked apart.
	entityNamePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)
	// policyDocumentPattern is IAM's alphabet for PolicyDocument: tab,
	// newline, carriage return and U+0020..U+00FF.
	policyDocumentPattern = regexp.MustCompile(`^[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+$`)
)

// roleKey names a role as IAM does: RoleName within the caller's account.
type roleKey struct{ account, name string }

// role is a role the stand-in knows, with its inline policies (name ->
// document as submitted, URL-decoded).
type role struct {
	arn      string
	policies map[string]string
}

// AddRole makes the role roleARN exist, without inline policies, so that
// the role-policy actions find it; adding a known role changes nothing. It
// panics on a string that is not a role ARN, a mistake in the test.
func (s *Server) AddRole(roleARN string) {
	m := roleARNPattern.FindStringSubmatch(roleARN)
	if m == nil {
		panic("fakeiam: not a role ARN: " + roleARN)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := roleKey{m[1], m[2]}
	if s.roles[k] == nil {
		s.roles[k] = &role{arn: roleARN, policies: map[string]string{}}
	}
}

// RolePolicies returns a copy of the inline policies of roleARN (name ->
// document, URL-decoded), or nil for an unknown role.
func (s *Server) RolePolicies(roleARN string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.roleByARN(roleARN)
	if r == nil {
		return nil
	}
	out := make(map[string]string, len(r.policies))
	for k, v := range r.policies {
		out[k] = v
	}
	return out
}

// roleByARN finds a known role by its ARN; s.mu must be held.
func (s *Server) roleByARN(roleARN string) *role {
	m := roleARNPattern.FindStringSubmatch(roleARN)
	if m == nil {
		return nil
	}
	r := s.roles[roleKey{m[1], m[2]}]
	if r == nil || r.arn != roleARN {
		return nil
	}
	return r
}

// isRolePolicyAction reports whether action is one of the inline role
// policy actions, which role sessions may call.
func isRolePolicyAction(action string) bool {
	switch action {
	case "PutRolePolicy", "GetRolePolicy", "DeleteRolePolicy", "ListRolePolicies":
		return true
	}
	return false
}

// answerRolePolicy serves an inline role policy action for a caller of
// account: IAM names roles by RoleName within the caller's account.
func (s *Server) answerRolePolicy(action, account string, form url.Values) (string, *apiError) {
	roleName := form.Get("RoleName")
	if e := checkName("roleName", roleName); e != nil {
		return "", e
	}
	var policyName string
	if action != "ListRolePolicies" {
		policyName = form.Get("PolicyName")
		if e := checkName("policyName", policyName); e != nil {
			return "", e
		}
	}
	switch action {
	case "PutRolePolicy":
		return s.putRolePolicy(account, roleName, policyName, form.Get("PolicyDocument"))
	case "GetRolePolicy":
		return s.getRolePolicy(account, roleName, policyName)
	case "DeleteRolePolicy":
		return s.deleteRolePolicy(account, roleName, policyName)
	default:
		return s.listRolePolicies(account, roleName, form)
	}
}

// checkName validates a RoleName or PolicyName as IAM does.
func checkName(param, v string) *apiError {
	if n := utf8.RuneCountInString(v); n < 1 || n > 128 || !entityNamePattern.MatchString(v) {
		return validationError("Value at '%s' failed to satisfy constraint: Member must have length between 1 and 128 and satisfy regular expression pattern: [\\w+=,.@-]+", param)
	}
	return nil
}

// validationError is IAM's 400 ValidationError.
func validationError(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationError", "1 validation error detected: " + fmt.Sprintf(format, args...)}
}

func noSuchRole(name string) *apiError {
	return &apiError{http.StatusNotFound, "NoSuchEntity", "The role with name " + name + " cannot be found."}
}

func (s *Server) putRolePolicy(account, roleName, policyName, raw string) (string, *apiError) {
	if n := utf8.RuneCountInString(raw); n < 1 || n > maxPolicyDocumentLength || !policyDocumentPattern.MatchString(raw) {
		return "", validationError("Value at 'policyDocument' failed to satisfy constraint: Member must have length between 1 and %d and satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", maxPolicyDocumentLength)
	}
	s.mu.Lock()
	known := s.roles[roleKey{account, roleName}] != nil
	s.mu.Unlock()
	if !known {
		return "", noSuchRole(roleName)
	}
	doc, err := decodePolicyDocument(raw)
	if err != nil {
		return "", &apiError{http.StatusBadRequest, "MalformedPolicyDocument", err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.roles[roleKey{account, roleName}]
	total := policySize(doc)
	for name, other := range r.policies {
		if name != policyName {
			total += policySize(other)
		}
	}
	if total > maxRolePolicyAggregate {
		return "", &apiError{http.StatusConflict, "LimitExceeded", fmt.Sprintf("Maximum policy size of %d bytes exceeded for role %s", maxRolePolicyAggregate, roleName)}
	}
	r.policies[policyName] = doc
	return "", nil
}

func (s *Server) getRolePolicy(account, roleName, policyName string) (string, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.roles[roleKey{account, roleName}]
	if r == nil {
		return "", noSuchRole(roleName)
	}
	doc, ok := r.policies[policyName]
	if !ok {
		return "", &apiError{http.StatusNotFound, "NoSuchEntity", "The role policy with name " + policyName + " cannot be found."}
	}
	return fmt.Sprintf("<GetRolePolicyResult><RoleName>%s</RoleName><PolicyName>%s</PolicyName><PolicyDocument>%s</PolicyDocument></GetRolePolicyResult>",
		xmlEscape(roleName), xmlEscape(policyName), encodePolicyDocument(doc)), nil
}

func (s *Server) deleteRolePolicy(account, roleName, policyName string) (string, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.roles[roleKey{account, roleName}]
	if r == nil {
		return "", noSuchRole(roleName)
	}
	if _, ok := r.policies[policyName]; !ok {
		return "", &apiError{http.StatusNotFound, "NoSuchEntity", "The role policy with name " + policyName + " cannot be found."}
	}
	delete(r.policies, policyName)
	return "", nil
}

// listRolePolicies pages through the role's policy names in order; the
// Marker is the last name of the previous page.
func (s *Server) listRolePolicies(account, roleName string, form url.Values) (string, *apiError) {
	maxItems := defaultMaxItems
	if form.Has("MaxItems") {
		n, err := strconv.Atoi(form.Get("MaxItems"))
		if err != nil || n < 1 || n > maxMaxItems {
			return "", validationError("Value at 'maxItems' failed to satisfy constraint: Member must have value between 1 and %d", maxMaxItems)
		}
		maxItems = n
	}
	marker := form.Get("Marker")
	if form.Has("Marker") && (marker == "" || !policyDocumentPattern.MatchString(marker)) {
		return "", validationError("Value at 'marker' failed to satisfy constraint: Member must have length between 1 and 320")
	}
	s.mu.Lock()
	r := s.roles[roleKey{account, roleName}]
	var names []string
	if r != nil {
		for name := range r.policies {
			names = append(names, name)
		}
	}
	s.mu.Unlock()
	if r == nil {
		return "", noSuchRole(roleName)
	}
	sort.Strings(names)
	start := 0
	if marker != "" {
		start = sort.SearchStrings(names, marker)
		if start < len(names) && names[start] == marker {
			start++
		}
	}
	page := names[start:]
	truncated := len(page) > maxItems
	if truncated {
		page = page[:maxItems]
	}
	var b strings.Builder
	b.WriteString("<ListRolePoliciesResult><PolicyNames>")
	for _, name := range page {
		fmt.Fprintf(&b, "<member>%s</member>", xmlEscape(name))
	}
	fmt.Fprintf(&b, "</PolicyNames><IsTruncated>%t</IsTruncated>", truncated)
	if truncated {
		fmt.Fprintf(&b, "<Marker>%s</Marker>", xmlEscape(page[len(page)-1]))
	}
	b.WriteString("</ListRolePoliciesResult>")
	return b.String(), nil
}

// policySize is how IAM measures a policy against the quota: characters,
// whitespace not counted.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// PolicySize is policySize for callers that plan what fits in a role's
// 10,240-character aggregate.
func PolicySize(doc string) int { return policySize(doc) }

// decodePolicyDocument returns the JSON of a submitted PolicyDocument,
// which IAM takes either as JSON or URL-encoded JSON, after checking it is
// a well-formed identity policy.
func decodePolicyDocument(raw string) (string, error) {
	doc := raw
	if t := strings.TrimLeftFunc(raw, unicode.IsSpace); !strings.HasPrefix(t, "{") {
		decoded, err := url.PathUnescape(raw)
		if err != nil {
			return "", errMalformed("the document is neither JSON nor URL-encoded JSON")
		}
		doc = decoded
	}
	if _, err := parsePolicy(doc); err != nil {
		return "", err
	}
	return doc, nil
}

// encodePolicyDocument URL-encodes doc as IAM returns it from
// GetRolePolicy (RFC 3986: every byte but A-Z a-z 0-9 - _ . ~ as %XX).
func encodePolicyDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}
