package fakeiam

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/fakests"
)

// FuzzEvaluateDeny feeds arbitrary policy documents (what a role's inline
// policies may hold, written by whoever can call PutRolePolicy) and request
// contexts to the parser and the evaluator. It checks that they never
// panic, fail only with the two documented errors, decide the same way
// twice, match tag keys without regard to case, and, having no negated
// operator, never deny a request lacking every key unless they deny all.
func FuzzEvaluateDeny(f *testing.F) {
	f.Add(denyIf(""), "sentinel-session-id", "s-1", "sentinel.alice.apr-1.r1", int64(1765162800))
	f.Add(denyIf(`{"StringEquals":{"aws:PrincipalTag/sentinel-session-id":["s-1","s-2"]}}`), "Sentinel-Session-Id", "s-2", "", int64(0))
	f.Add(denyIf(`{"StringLike":{"aws:SourceIdentity":"sentinel.*.apr-?.*"}}`), "k", "v", "sentinel.bob.apr-7.r", int64(1))
	f.Add(denyIf(`{"StringLike":{"aws:SourceIdentity":"sentinel.bob.*"},"DateLessThan":{"aws:TokenIssueTime":"2026-12-08T03:00:00Z"}}`), "", "", "sentinel.bob.x", int64(1765162799))
	f.Add(denyIf(`{"DateLessThan":{"aws:TokenIssueTime":1765162800}}`), "a", "", "", int64(-5))
	f.Add(`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":"s3:*","Resource":"*"}]}`, "a", "b", "c", int64(2))
	f.Add(`{"Statement":{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"StringEquals":{"aws:SourceIdentity":[7,true]}}}}`, "", "", "7", int64(0))
	f.Add(`[]`, "", "", "", int64(0))
	f.Fuzz(func(t *testing.T, doc, tagKey, tagValue, sourceIdentity string, issued int64) {
		ctx := RequestContext{PrincipalTags: map[string]string{tagKey: tagValue}, SourceIdentity: sourceIdentity}
		if issued != 0 {
			ctx.TokenIssueTime = time.Unix(issued, 0).UTC()
		}
		got, err := EvaluateDeny(doc, ctx)
		if err != nil {
			if got {
				t.Fatal("denied with an error")
			}
			if !errors.Is(err, ErrMalformedPolicy) && !errors.Is(err, ErrUnsupportedPolicy) {
				t.Fatalf("an error of neither documented class: %v", err)
			}
			return
		}
		if _, err := decodePolicyDocument(doc); err != nil && strings.HasPrefix(strings.TrimSpace(doc), "{") {
			t.Fatalf("the evaluator read a JSON document PutRolePolicy refuses: %v", err)
		}
		again, err := EvaluateDeny(doc, ctx)
		if err != nil || again != got {
			t.Fatalf("second evaluation %v, %v after %v", again, err, got)
		}
		swapped := ctx
		swapped.PrincipalTags = map[string]string{swapCase(tagKey): tagValue}
		if other, err := EvaluateDeny(doc, swapped); err != nil || other != got {
			t.Fatalf("tag key %q decided %v, %q decided %v (%v)", tagKey, got, swapCase(tagKey), other, err)
		}
		if empty, err := EvaluateDeny(doc, RequestContext{}); err != nil || (empty && !got) {
			t.Fatalf("an empty request is denied (%v) but this one is not (%v)", empty, err)
		}
		// StringLike against a regular expression built from the pattern.
		for _, s := range []string{tagValue, sourceIdentity} {
			if !strings.ContainsRune(s, '\uFFFD') && !strings.ContainsRune(tagKey, '\uFFFD') && globMatch(tagKey, s) != globRegexp(tagKey).MatchString(s) {
				t.Fatalf("globMatch(%q, %q) = %v disagrees with the regular expression", tagKey, s, globMatch(tagKey, s))
			}
		}
	})
}

// swapCase swaps the case of ASCII letters, as tag keys compare in IAM.
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, s)
}

// globRegexp is the reference for globMatch: * is .*, ? is one character.
func globRegexp(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

// FuzzRolePolicyRequests sends arbitrary form bodies to the stand-in as an
// authenticated caller and checks that every answer is a well-formed IAM
// response with a known status, and that a role's policies never exceed
// the aggregate limit or hold a document the parser refuses.
func FuzzRolePolicyRequests(f *testing.F) {
	f.Add("Action=PutRolePolicy&Version=2010-05-08&RoleName=deploy&PolicyName=P&PolicyDocument=" + url.QueryEscape(denyAll))
	f.Add("Action=PutRolePolicy&Version=2010-05-08&RoleName=deploy&PolicyName=P&PolicyDocument=" + url.QueryEscape(url.PathEscape(denyAll)))
	f.Add("Action=GetRolePolicy&Version=2010-05-08&RoleName=deploy&PolicyName=P")
	f.Add("Action=ListRolePolicies&Version=2010-05-08&RoleName=deploy&MaxItems=1&Marker=A")
	f.Add("Action=DeleteRolePolicy&Version=2010-05-08&RoleName=deploy&PolicyName=P")
	f.Add("Action=PutRolePolicy&Version=2010-05-08&RoleName=de%2Fploy&PolicyName=&PolicyDocument=%25zz")
	st := fakests.New()
	defer st.Close()
	s := New(st)
	defer s.Close()
	st.AddUser(aliceKey, aliceARN, account)
	s.AddUser(aliceARN, aliceKey)
	s.AddRole("arn:aws:iam::111122223333:role/deploy")
	auth := "AWS4-HMAC-SHA256 Credential=" + aliceKey + "/20261208/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		http.HandlerFunc(s.serveHTTP).ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 403, 404, 409:
		default:
			t.Fatalf("status %d", rec.Code)
		}
		var root struct{ XMLName xml.Name }
		if err := xml.Unmarshal(rec.Body.Bytes(), &root); err != nil {
			t.Fatalf("response is not XML: %v: %q", err, rec.Body.String())
		}
		total := 0
		for name, doc := range s.RolePolicies("arn:aws:iam::111122223333:role/deploy") {
			if _, err := parsePolicy(doc); err != nil {
				t.Fatalf("stored policy %s is refused by the parser: %v", name, err)
			}
			total += PolicySize(doc)
		}
		if total > maxRolePolicyAggregate {
			t.Fatalf("the role holds %d characters of policies", total)
		}
		s.mu.Lock()
		s.calls = nil
		s.mu.Unlock()
	})
}
