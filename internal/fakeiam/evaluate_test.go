package fakeiam

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// denyIf returns a policy with one Deny statement of Action "*" on
// Resource "*" under the given Condition JSON ("" for none).
func denyIf(condition string) string {
	cond := ""
	if condition != "" {
		cond = `,"Condition":` + condition
	}
	return `{"Version":"2012-10-17","Statement":[{"Sid":"D","Effect":"Deny","Action":"*","Resource":"*"` + cond + `}]}`
}

var issuedAt = time.Date(2026, 12, 8, 3, 0, 0, 0, time.UTC)

// session is the request context most cases evaluate.
var session = RequestContext{
	PrincipalTags:  map[string]string{"sentinel-session-id": "s-123", "Team": "Payments"},
	SourceIdentity: "sentinel.alice.apr-7.r1",
	TokenIssueTime: issuedAt,
}

func TestEvaluateDeny(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		ctx  RequestContext
		want bool
	}{
		{"no condition denies all", denyIf(""), session, true},
		{"Allow never denies", strings.Replace(denyIf(""), "Deny", "Allow", 1), session, false},
		{"action and resource lists holding *", `{"Statement":{"Effect":"Deny","Action":["s3:GetObject","*"],"Resource":["arn:aws:s3:::b","*"]}}`, session, true},

		{"StringEquals on a tag", denyIf(`{"StringEquals":{"aws:PrincipalTag/sentinel-session-id":"s-123"}}`), session, true},
		{"StringEquals other value", denyIf(`{"StringEquals":{"aws:PrincipalTag/sentinel-session-id":"s-124"}}`), session, false},
		{"StringEquals any of the values (OR)", denyIf(`{"StringEquals":{"aws:PrincipalTag/sentinel-session-id":["s-1","s-123","s-9"]}}`), session, true},
		{"StringEquals none of the values", denyIf(`{"StringEquals":{"aws:PrincipalTag/sentinel-session-id":["s-1","s-9"]}}`), session, false},
		{"tag key in another case matches", denyIf(`{"StringEquals":{"AWS:principaltag/SENTINEL-SESSION-ID":"s-123"}}`), session, true},
		{"tag value is case-sensitive", denyIf(`{"StringEquals":{"aws:PrincipalTag/Team":"payments"}}`), session, false},
		{"request tag key in another case", denyIf(`{"StringEquals":{"aws:PrincipalTag/team":"Payments"}}`), session, true},
		{"a missing tag never matches StringEquals", denyIf(`{"StringEquals":{"aws:PrincipalTag/other":""}}`), session, false},
		{"a missing tag never matches StringLike *", denyIf(`{"StringLike":{"aws:PrincipalTag/other":"*"}}`), session, false},
		{"an empty tag value is present", denyIf(`{"StringEquals":{"aws:PrincipalTag/e":""}}`), RequestContext{PrincipalTags: map[string]string{"e": ""}}, true},

		{"StringEquals on SourceIdentity", denyIf(`{"StringEquals":{"aws:SourceIdentity":"sentinel.alice.apr-7.r1"}}`), session, true},
		{"SourceIdentity value is case-sensitive", denyIf(`{"StringEquals":{"aws:SourceIdentity":"sentinel.Alice.apr-7.r1"}}`), session, false},
		{"SourceIdentity key in another case", denyIf(`{"StringEquals":{"aws:sourceidentity":"sentinel.alice.apr-7.r1"}}`), session, true},
		{"a missing SourceIdentity never matches", denyIf(`{"StringLike":{"aws:SourceIdentity":"*"}}`), RequestContext{TokenIssueTime: issuedAt}, false},

		{"StringLike * in the middle", denyIf(`{"StringLike":{"aws:SourceIdentity":"sentinel.*.apr-7.*"}}`), session, true},
		{"StringLike * matches nothing too", denyIf(`{"StringLike":{"aws:SourceIdentity":"sentinel.alice.apr-7.r1*"}}`), session, true},
		{"StringLike other basis", denyIf(`{"StringLike":{"aws:SourceIdentity":"sentinel.*.apr-8.*"}}`), session, false},
		{"StringLike ? is one character", denyIf(`{"StringLike":{"aws:SourceIdentity":"sentinel.alice.apr-?.r1"}}`), session, true},
		{"StringLike ? is not two", denyIf(`{"StringLike":{"aws:SourceIdentity":"sentinel.alice.apr?.r1"}}`), session, false},
		{"StringLike ? is not none", denyIf(`{"StringLike":{"aws:SourceIdentity":"sentinel.alice.apr-7?.r1"}}`), session, false},
		{"StringLike is anchored", denyIf(`{"StringLike":{"aws:SourceIdentity":"alice*"}}`), session, false},
		{"StringLike is case-sensitive", denyIf(`{"StringLike":{"aws:SourceIdentity":"Sentinel.*"}}`), session, false},
		{"StringLike without wildcards is equality", denyIf(`{"StringLike":{"aws:PrincipalTag/Team":"Payments"}}`), session, true},
		{"StringLike . is literal", denyIf(`{"StringLike":{"aws:SourceIdentity":"sentinel.alice.apr-7xr1"}}`), session, false},
		{"StringLike on a tag, OR of values", denyIf(`{"StringLike":{"aws:PrincipalTag/Team":["Ops*","Pay*"]}}`), session, true},

		{"DateLessThan before", denyIf(`{"DateLessThan":{"aws:TokenIssueTime":"2026-12-08T03:00:01Z"}}`), session, true},
		{"DateLessThan equal is not less", denyIf(`{"DateLessThan":{"aws:TokenIssueTime":"2026-12-08T03:00:00Z"}}`), session, false},
		{"DateLessThan after", denyIf(`{"DateLessThan":{"aws:TokenIssueTime":"2026-12-08T02:59:59Z"}}`), session, false},
		{"DateLessThan with an offset", denyIf(`{"DateLessThan":{"aws:TokenIssueTime":"2026-12-08T04:00:01+01:00"}}`), session, true},
		{"DateLessThan epoch string", denyIf(fmt.Sprintf(`{"DateLessThan":{"aws:TokenIssueTime":"%d"}}`, issuedAt.Unix()+1)), session, true},
		{"DateLessThan epoch number", denyIf(fmt.Sprintf(`{"DateLessThan":{"aws:TokenIssueTime":%d}}`, issuedAt.Unix())), session, false},
		{"DateLessThan a date alone", denyIf(`{"DateLessThan":{"aws:TokenIssueTime":"2026-12-09"}}`), session, true},
		{"DateLessThan key in another case", denyIf(`{"DateLessThan":{"AWS:TOKENISSUETIME":"2027-01-01T00:00:00Z"}}`), session, true},
		{"DateLessThan any value (OR)", denyIf(`{"DateLessThan":{"aws:TokenIssueTime":["2020-01-01T00:00:00Z","2027-01-01T00:00:00Z"]}}`), session, true},
		{"a missing issue time never matches", denyIf(`{"DateLessThan":{"aws:TokenIssueTime":"2999-01-01T00:00:00Z"}}`), RequestContext{SourceIdentity: "x"}, false},

		{"AND across keys, both match", denyIf(`{"StringEquals":{"aws:PrincipalTag/Team":"Payments","aws:SourceIdentity":"sentinel.alice.apr-7.r1"}}`), session, true},
		{"AND across keys, one fails", denyIf(`{"StringEquals":{"aws:PrincipalTag/Team":"Payments","aws:SourceIdentity":"other"}}`), session, false},
		{"AND across operators, both match", denyIf(`{"StringLike":{"aws:SourceIdentity":"sentinel.alice.*"},"DateLessThan":{"aws:TokenIssueTime":"2026-12-08T03:00:01Z"}}`), session, true},
		{"AND across operators, time fails", denyIf(`{"StringLike":{"aws:SourceIdentity":"sentinel.alice.*"},"DateLessThan":{"aws:TokenIssueTime":"2026-12-08T03:00:00Z"}}`), session, false},
		{"AND with a missing key fails", denyIf(`{"StringLike":{"aws:SourceIdentity":"*","aws:PrincipalTag/absent":"*"}}`), session, false},
		{"any statement may deny", `{"Statement":[` +
			`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:SourceIdentity":"no"}}},` +
			`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/Team":"Payments"}}}]}`, session, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EvaluateDeny(tt.doc, tt.ctx)
			if err != nil || got != tt.want {
				t.Errorf("EvaluateDeny = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestEvaluateDenyRefusesWhatItDoesNotModel(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want error
	}{
		{"another operator", denyIf(`{"StringNotEquals":{"aws:SourceIdentity":"x"}}`), ErrUnsupportedPolicy},
		{"IfExists", denyIf(`{"StringEqualsIfExists":{"aws:SourceIdentity":"x"}}`), ErrUnsupportedPolicy},
		{"a set operator", denyIf(`{"ForAnyValue:StringEquals":{"aws:SourceIdentity":"x"}}`), ErrUnsupportedPolicy},
		{"operator name in another case", denyIf(`{"stringequals":{"aws:SourceIdentity":"x"}}`), ErrUnsupportedPolicy},
		{"another key", denyIf(`{"StringEquals":{"aws:PrincipalArn":"x"}}`), ErrUnsupportedPolicy},
		{"a tag key without a name", denyIf(`{"StringEquals":{"aws:PrincipalTag/":"x"}}`), ErrUnsupportedPolicy},
		{"a string operator on the issue time", denyIf(`{"StringEquals":{"aws:TokenIssueTime":"x"}}`), ErrUnsupportedPolicy},
		{"a date operator on a tag", denyIf(`{"DateLessThan":{"aws:PrincipalTag/t":"2026-01-01T00:00:00Z"}}`), ErrUnsupportedPolicy},
		{"an unreadable date", denyIf(`{"DateLessThan":{"aws:TokenIssueTime":"yesterday"}}`), ErrUnsupportedPolicy},
		{"a number for a string", denyIf(`{"StringEquals":{"aws:SourceIdentity":7}}`), ErrUnsupportedPolicy},
		{"a policy variable", denyIf(`{"StringLike":{"aws:SourceIdentity":"${aws:username}*"}}`), ErrUnsupportedPolicy},
		{"a narrower action", `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`, ErrUnsupportedPolicy},
		{"a narrower resource", `{"Statement":{"Effect":"Deny","Action":"*","Resource":"arn:aws:s3:::b"}}`, ErrUnsupportedPolicy},
		{"NotAction", `{"Statement":{"Effect":"Deny","NotAction":"*","Resource":"*"}}`, ErrUnsupportedPolicy},
		{"NotResource", `{"Statement":{"Effect":"Deny","Action":"*","NotResource":"arn:aws:s3:::b"}}`, ErrUnsupportedPolicy},
		{"unsupported even when another statement denies", `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, ErrUnsupportedPolicy},
		{"not JSON", `{`, ErrMalformedPolicy},
		{"a Principal", `{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}`, ErrMalformedPolicy},
		{"an empty value list", denyIf(`{"StringEquals":{"aws:SourceIdentity":[]}}`), ErrMalformedPolicy},
		{"a null value", denyIf(`{"StringEquals":{"aws:SourceIdentity":null}}`), ErrMalformedPolicy},
		{"trailing data", denyIf("") + "{}", ErrMalformedPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EvaluateDeny(tt.doc, session)
			if !errors.Is(err, tt.want) || got {
				t.Errorf("EvaluateDeny = %v, %v; want an error of %v", got, err, tt.want)
			}
		})
	}
}

func TestDeniesAcrossPoliciesAndUnknownRoles(t *testing.T) {
	_, s, c := revokerClient(t)
	if got, err := s.Denies(deployARN, session); err != nil || got {
		t.Errorf("a role without policies: %v, %v", got, err)
	}
	if err := put(c, "deploy", "A", denyIf(`{"StringEquals":{"aws:SourceIdentity":"other"}}`)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Denies(deployARN, session); err != nil || got {
		t.Errorf("one non-matching policy: %v, %v", got, err)
	}
	if err := put(c, "deploy", "B", denyIf(`{"StringEquals":{"aws:PrincipalTag/sentinel-session-id":"s-123"}}`)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Denies(deployARN, session); err != nil || !got {
		t.Errorf("a second, matching policy: %v, %v", got, err)
	}
	// IAM stores what it cannot be asked about here: the evaluator refuses.
	if err := put(c, "deploy", "C", `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Denies(deployARN, session); !errors.Is(err, ErrUnsupportedPolicy) {
		t.Errorf("with an unsupported policy: %v", err)
	}
	for _, arn := range []string{"arn:aws:iam::111122223333:role/nobody", "arn:aws:iam::111122223333:role/deploy", "not an arn"} {
		if _, err := s.Denies(arn, session); !errors.Is(err, ErrNoSuchRole) {
			t.Errorf("Denies(%q): %v, want ErrNoSuchRole", arn, err)
		}
	}
	if _, err := s.DeniesIssued("ASIAUNKNOWN000000001"); !errors.Is(err, ErrNotIssued) {
		t.Errorf("DeniesIssued of an unknown key: %v", err)
	}
	if _, err := s.DeniesIssued(aliceKey); !errors.Is(err, ErrNotIssued) {
		t.Errorf("DeniesIssued of a long-lived key: %v", err)
	}
}

// TestRevocationEndToEnd issues real role credentials through the STS
// stand-in with session tags and a SourceIdentity, writes a revocation-style
// policy through the real IAM client of the revoker role, and asks whether
// each session is denied.
func TestRevocationEndToEnd(t *testing.T) {
	st, s, revoker := revokerClient(t)
	ctx := context.Background()
	_, aliceSTS := clients(t, s, st, aliceKey, "")
	assume := func(sessionID, sourceIdentity string) string {
		t.Helper()
		out, err := aliceSTS.AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: aws.String(deployARN), RoleSessionName: aws.String("alice"),
			SourceIdentity: aws.String(sourceIdentity),
			Tags:           []ststypes.Tag{{Key: aws.String("sentinel-session-id"), Value: aws.String(sessionID)}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Credentials.AccessKeyId)
	}
	revokedSession := assume("s-1", "sentinel.alice.apr-1.r1")
	revokedGrant := assume("s-2", "sentinel.alice.apr-7.r2")
	blocked := assume("s-3", "sentinel.mallory.bg-9.r3")
	unblocked := assume("s-4", "sentinel.bob.apr-2.r4")
	kept := assume("s-5", "sentinel.carol.apr-3.r5")

	// All sessions above were issued before unblockedAt: bob's block was
	// lifted after them, so his sessions issued before it stay denied.
	unblockedAt := time.Now().UTC().Add(2 * time.Second).Format(time.RFC3339)
	doc := `{"Version":"2012-10-17","Statement":[
	  {"Sid":"SentinelRevokedSessions","Effect":"Deny","Action":"*","Resource":"*",
	   "Condition":{"StringEquals":{"aws:PrincipalTag/sentinel-session-id":["s-1","s-99"]}}},
	  {"Sid":"SentinelRevokedGrants","Effect":"Deny","Action":"*","Resource":"*",
	   "Condition":{"StringLike":{"aws:SourceIdentity":["sentinel.*.apr-7.*"]}}},
	  {"Sid":"SentinelBlockedPrincipals","Effect":"Deny","Action":"*","Resource":"*",
	   "Condition":{"StringLike":{"aws:SourceIdentity":["sentinel.mallory.*"]}}},
	  {"Sid":"SentinelUnblockedBefore1","Effect":"Deny","Action":"*","Resource":"*",
	   "Condition":{"StringLike":{"aws:SourceIdentity":"sentinel.bob.*"},"DateLessThan":{"aws:TokenIssueTime":"` + unblockedAt + `"}}}]}`
	if err := put(revoker, "deploy", "SentinelRevocations", doc); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, key string
		want      bool
	}{
		{"revoked session", revokedSession, true},
		{"revoked grant", revokedGrant, true},
		{"blocked person", blocked, true},
		{"unblocked person's earlier session", unblocked, true},
		{"another session", kept, false},
	} {
		got, err := s.DeniesIssued(tt.key)
		if err != nil || got != tt.want {
			t.Errorf("%s: DeniesIssued = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	// Bob's session issued after the unblock is not denied: an injected
	// later issue time stands for it.
	issued, _ := st.Issued(unblocked)
	issued.IssuedAt = issued.IssuedAt.Add(time.Minute)
	if got, err := s.Denies(deployARN, ContextOf(issued)); err != nil || got {
		t.Errorf("a session issued after the unblock: %v, %v", got, err)
	}
	// Deleting the policy lifts every deny.
	if _, err := revoker.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("SentinelRevocations")}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.DeniesIssued(revokedSession); err != nil || got {
		t.Errorf("after the policy is deleted: %v, %v", got, err)
	}
}

// TestRolePolicyConcurrentWritersAndReaders writes, lists, deletes and
// evaluates one role's policies from many goroutines (run with -race): the
// aggregate limit holds whatever the interleaving.
func TestRolePolicyConcurrentWritersAndReaders(t *testing.T) {
	_, s, c := revokerClient(t)
	ctx := context.Background()
	doc := sizedDoc(t, 3000, 0) // at most three fit at once
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("P%d", i)
			if err := put(c, "deploy", name, doc); err != nil && codeOf(err) != "LimitExceeded" {
				t.Errorf("put %s: %v", name, err)
			}
			if _, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("deploy")}); err != nil {
				t.Errorf("list: %v", err)
			}
			if _, err := s.Denies(deployARN, session); err != nil {
				t.Errorf("Denies: %v", err)
			}
			if i%2 == 0 {
				_, _ = c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String(name)})
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, doc := range s.RolePolicies(deployARN) {
		total += PolicySize(doc)
	}
	if total > maxRolePolicyAggregate {
		t.Errorf("the role holds %d characters", total)
	}
}
