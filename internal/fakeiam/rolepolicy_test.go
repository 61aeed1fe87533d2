package fakeiam

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sentinel-cli/sentinel/internal/fakests"
)

const (
	account     = "111122223333"
	deployARN   = "arn:aws:iam::111122223333:role/team/deploy"
	revokerARN  = "arn:aws:iam::111122223333:role/sentinel-revoker"
	foreignRole = "arn:aws:iam::444455556666:role/elsewhere"
	denyAll     = `{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Deny","Action":"*","Resource":"*"}]}`
)

// revokerClient starts the stand-ins with alice, the deploy role (in
// alice's account and in another) and returns an IAM client signing with a
// session of the revoker role, as the service writes policies.
func revokerClient(t *testing.T) (*fakests.Server, *Server, *iam.Client) {
	t.Helper()
	st, s := aliceStandIns(t)
	s.AddRole(deployARN)
	s.AddRole(foreignRole)
	_, aliceSTS := clients(t, s, st, aliceKey, "")
	out, err := aliceSTS.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(revokerARN), RoleSessionName: aws.String("revoker")})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := clients(t, s, st, aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SessionToken))
	return st, s, c
}

func put(c *iam.Client, role, name, doc string) error {
	_, err := c.PutRolePolicy(context.Background(), &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	return err
}

func statusOf(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestRolePolicyLifecycleWithTheRealSDK(t *testing.T) {
	_, s, c := revokerClient(t)
	ctx := context.Background()
	pretty := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\",\n" +
		"    \"Condition\": {\"StringLike\": {\"aws:SourceIdentity\": \"sentinel.a+b&c=d.apr-1.*\"}}}\n}"
	for name, doc := range map[string]string{"SentinelRevocations": pretty, "Other": denyAll} {
		if err := put(c, "deploy", name, doc); err != nil {
			t.Fatalf("PutRolePolicy %s: %v", name, err)
		}
	}
	list, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("deploy")})
	if err != nil || !slices.Equal(list.PolicyNames, []string{"Other", "SentinelRevocations"}) || list.IsTruncated {
		t.Fatalf("ListRolePolicies = %+v, %v", list, err)
	}
	got, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("SentinelRevocations")})
	if err != nil {
		t.Fatal(err)
	}
	raw := aws.ToString(got.PolicyDocument)
	// IAM returns the document URL-encoded (RFC 3986), as submitted.
	if strings.ContainsAny(raw, "{\"+ \n") || !strings.HasPrefix(raw, "%7B%0A%20%20%22Version%22") {
		t.Errorf("the document is not URL-encoded as IAM does: %q", raw)
	}
	if decoded, err := url.PathUnescape(raw); err != nil || decoded != pretty {
		t.Errorf("decoded document = %q, %v; want %q", decoded, err, pretty)
	}
	if aws.ToString(got.RoleName) != "deploy" || aws.ToString(got.PolicyName) != "SentinelRevocations" {
		t.Errorf("GetRolePolicy names = %q %q", aws.ToString(got.RoleName), aws.ToString(got.PolicyName))
	}
	// Replacing keeps one policy of the name.
	if err := put(c, "deploy", "Other", strings.ReplaceAll(denyAll, "All", "Again")); err != nil {
		t.Fatal(err)
	}
	if p := s.RolePolicies(deployARN); len(p) != 2 || !strings.Contains(p["Other"], "Again") {
		t.Errorf("after replacing: %v", p)
	}
	if _, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("Other")}); err != nil {
		t.Fatal(err)
	}
	list, err = c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("deploy")})
	if err != nil || !slices.Equal(list.PolicyNames, []string{"SentinelRevocations"}) {
		t.Fatalf("after delete: %+v, %v", list, err)
	}
	if n := len(s.CallsOf("PutRolePolicy")); n != 3 {
		t.Errorf("recorded %d PutRolePolicy calls, want 3", n)
	}
}

func TestRolePolicyURLEncodedDocumentIsAccepted(t *testing.T) {
	_, s, c := revokerClient(t)
	if err := put(c, "deploy", "Encoded", url.PathEscape(denyAll)); err != nil {
		t.Fatal(err)
	}
	if got := s.RolePolicies(deployARN)["Encoded"]; got != denyAll {
		t.Errorf("stored %q, want the decoded %q", got, denyAll)
	}
}

func TestListRolePoliciesPages(t *testing.T) {
	_, _, c := revokerClient(t)
	want := []string{"A", "B", "C", "D", "E"}
	for _, name := range []string{"C", "A", "E", "B", "D"} {
		if err := put(c, "deploy", name, denyAll); err != nil {
			t.Fatal(err)
		}
	}
	p := iam.NewListRolePoliciesPaginator(c, &iam.ListRolePoliciesInput{RoleName: aws.String("deploy"), MaxItems: aws.Int32(2)})
	var got []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, out.PolicyNames...)
	}
	if !slices.Equal(got, want) || pages != 3 {
		t.Errorf("paged %v in %d pages, want %v in 3", got, pages, want)
	}
	_, err := c.ListRolePolicies(context.Background(), &iam.ListRolePoliciesInput{RoleName: aws.String("deploy"), MaxItems: aws.Int32(1001)})
	if codeOf(err) != "ValidationError" {
		t.Errorf("MaxItems 1001: %v", err)
	}
}

func TestRolePolicyErrors(t *testing.T) {
	var noSuch *types.NoSuchEntityException
	var malformed *types.MalformedPolicyDocumentException
	tests := []struct {
		name   string
		call   func(c *iam.Client) error
		code   string
		status int
		typed  any
	}{
		{"unknown role", func(c *iam.Client) error { return put(c, "nobody", "P", denyAll) }, "NoSuchEntity", 404, &noSuch},
		{"role of another account", func(c *iam.Client) error {
			// The role elsewhere exists in another account, but IAM names
			// roles within the caller's account.
			return put(c, "elsewhere", "P", denyAll)
		}, "NoSuchEntity", 404, &noSuch},
		{"role name with a slash", func(c *iam.Client) error { return put(c, "team/deploy", "P", denyAll) }, "ValidationError", 400, nil},
		{"policy name with a space", func(c *iam.Client) error { return put(c, "deploy", "two words", denyAll) }, "ValidationError", 400, nil},
		{"policy name of 129", func(c *iam.Client) error { return put(c, "deploy", strings.Repeat("p", 129), denyAll) }, "ValidationError", 400, nil},
		{"empty policy name", func(c *iam.Client) error { return put(c, "deploy", "", denyAll) }, "ValidationError", 400, nil},
		{"document outside Latin-1", func(c *iam.Client) error {
			return put(c, "deploy", "P", strings.Replace(denyAll, "All", "A\u0100", 1))
		}, "ValidationError", 400, nil},
		{"not JSON", func(c *iam.Client) error { return put(c, "deploy", "P", "{not json") }, "MalformedPolicyDocument", 400, &malformed},
		{"not URL-decodable", func(c *iam.Client) error { return put(c, "deploy", "P", "%zz") }, "MalformedPolicyDocument", 400, &malformed},
		{"no Statement", func(c *iam.Client) error { return put(c, "deploy", "P", `{"Version":"2012-10-17"}`) }, "MalformedPolicyDocument", 400, &malformed},
		{"bad Version", func(c *iam.Client) error {
			return put(c, "deploy", "P", strings.Replace(denyAll, "2012-10-17", "2020-01-01", 1))
		}, "MalformedPolicyDocument", 400, &malformed},
		{"lower-case element", func(c *iam.Client) error {
			return put(c, "deploy", "P", strings.Replace(denyAll, `"Version"`, `"version"`, 1))
		}, "MalformedPolicyDocument", 400, &malformed},
		{"a Principal", func(c *iam.Client) error {
			return put(c, "deploy", "P", strings.Replace(denyAll, `"Effect"`, `"Principal":"*","Effect"`, 1))
		}, "MalformedPolicyDocument", 400, &malformed},
		{"no Resource", func(c *iam.Client) error {
			return put(c, "deploy", "P", strings.Replace(denyAll, `,"Resource":"*"`, "", 1))
		}, "MalformedPolicyDocument", 400, &malformed},
		{"duplicate Sids", func(c *iam.Client) error {
			return put(c, "deploy", "P", `{"Statement":[{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}]}`)
		}, "MalformedPolicyDocument", 400, &malformed},
		{"missing policy", func(c *iam.Client) error {
			_, err := c.GetRolePolicy(context.Background(), &iam.GetRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("Missing")})
			return err
		}, "NoSuchEntity", 404, &noSuch},
		{"delete missing policy", func(c *iam.Client) error {
			_, err := c.DeleteRolePolicy(context.Background(), &iam.DeleteRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("Missing")})
			return err
		}, "NoSuchEntity", 404, &noSuch},
		{"list unknown role", func(c *iam.Client) error {
			_, err := c.ListRolePolicies(context.Background(), &iam.ListRolePoliciesInput{RoleName: aws.String("nobody")})
			return err
		}, "NoSuchEntity", 404, &noSuch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, s, c := revokerClient(t)
			err := tt.call(c)
			if codeOf(err) != tt.code || statusOf(err) != tt.status {
				t.Fatalf("error %v: code %q status %d, want %q %d", err, codeOf(err), statusOf(err), tt.code, tt.status)
			}
			if tt.typed != nil && !errors.As(err, tt.typed) {
				t.Errorf("error %T is not the SDK's typed %s error", err, tt.code)
			}
			if p := s.RolePolicies(deployARN); len(p) != 0 {
				t.Errorf("a failed call left policies: %v", p)
			}
		})
	}
}

// TestRolePolicyCallers checks who may call the role-policy actions: a
// user and a role session may; a session token without MFA, federated
// credentials and unknown credentials may not.
func TestRolePolicyCallers(t *testing.T) {
	st, s := aliceStandIns(t)
	s.AddRole(deployARN)
	ctx := context.Background()
	_, aliceSTS := clients(t, s, st, aliceKey, "")
	user, _ := clients(t, s, st, aliceKey, "")
	if err := put(user, "deploy", "ByUser", denyAll); err != nil {
		t.Errorf("a user: %v", err)
	}
	tok, err := aliceSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := clients(t, s, st, aws.ToString(tok.Credentials.AccessKeyId), aws.ToString(tok.Credentials.SessionToken))
	if err := put(plain, "deploy", "P", denyAll); codeOf(err) != "AccessDenied" {
		t.Errorf("a session without MFA: %v", err)
	}
	fed, err := aliceSTS.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed")})
	if err != nil {
		t.Fatal(err)
	}
	federated, _ := clients(t, s, st, aws.ToString(fed.Credentials.AccessKeyId), aws.ToString(fed.Credentials.SessionToken))
	if err := put(federated, "deploy", "P", denyAll); codeOf(err) != "AccessDenied" {
		t.Errorf("federated credentials: %v", err)
	}
	wrongToken, _ := clients(t, s, st, aws.ToString(tok.Credentials.AccessKeyId), "not-the-token")
	if err := put(wrongToken, "deploy", "P", denyAll); codeOf(err) != "InvalidClientTokenId" {
		t.Errorf("a wrong session token: %v", err)
	}
	if p := s.RolePolicies(deployARN); len(p) != 1 {
		t.Errorf("policies = %v, want only the user's", p)
	}
	// A role session still may not call the user-key actions.
	_, _, revoker := revokerClient(t)
	if _, err := revoker.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}); codeOf(err) != "ValidationError" {
		t.Errorf("ListAccessKeys by a role session: %v", err)
	}
}

// sizedDoc returns a valid policy document of exactly n characters not
// counting whitespace, with pad spaces of whitespace added.
func sizedDoc(t *testing.T, n, pad int) string {
	t.Helper()
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:SourceIdentity":"X"}}}]}`
	fill := n - PolicySize(doc) + 1
	if fill < 1 {
		t.Fatalf("size %d is below the skeleton's", n)
	}
	doc = strings.Replace(doc, `"X"`, `"`+strings.Repeat("x", fill)+`"`, 1)
	doc = strings.Replace(doc, `{"Version"`, "{"+strings.Repeat(" \n\t", pad/3)+`"Version"`, 1)
	if got := PolicySize(doc); got != n {
		t.Fatalf("sizedDoc(%d) has size %d", n, got)
	}
	return doc
}

func TestRolePolicyAggregateLimit(t *testing.T) {
	var limit *types.LimitExceededException
	t.Run("two policies that together exceed it", func(t *testing.T) {
		_, s, c := revokerClient(t)
		if err := put(c, "deploy", "First", sizedDoc(t, 6000, 0)); err != nil {
			t.Fatal(err)
		}
		err := put(c, "deploy", "Second", sizedDoc(t, 4241, 0))
		if codeOf(err) != "LimitExceeded" || statusOf(err) != 409 || !errors.As(err, &limit) {
			t.Fatalf("6000 + 4241 characters: %v", err)
		}
		if _, ok := s.RolePolicies(deployARN)["Second"]; ok {
			t.Error("the refused policy was stored")
		}
		if err := put(c, "deploy", "Second", sizedDoc(t, 4240, 0)); err != nil {
			t.Errorf("6000 + 4240 = 10240 characters: %v", err)
		}
	})
	t.Run("whitespace does not count", func(t *testing.T) {
		_, _, c := revokerClient(t)
		if err := put(c, "deploy", "Spacious", sizedDoc(t, 10240, 3000)); err != nil {
			t.Errorf("10240 characters with 3000 of whitespace: %v", err)
		}
		if err := put(c, "deploy", "More", sizedDoc(t, 200, 0)); codeOf(err) != "LimitExceeded" {
			t.Errorf("one more policy: %v", err)
		}
	})
	t.Run("a replaced policy counts once", func(t *testing.T) {
		_, _, c := revokerClient(t)
		if err := put(c, "deploy", "Same", sizedDoc(t, 9000, 0)); err != nil {
			t.Fatal(err)
		}
		if err := put(c, "deploy", "Same", sizedDoc(t, 10000, 0)); err != nil {
			t.Errorf("replacing 9000 with 10000: %v", err)
		}
		if err := put(c, "deploy", "Same", sizedDoc(t, 10241, 0)); codeOf(err) != "LimitExceeded" {
			t.Errorf("a single policy of 10241: %v", err)
		}
	})
}

// TestRolePolicySignaturesChecked: when the STS stand-in knows a user's
// secret, IAM calls signed by that user and by the role sessions issued to
// it must carry a valid signature scoped to iam.
func TestRolePolicySignaturesChecked(t *testing.T) {
	const carolKey, carolARN = "AKIACAROLEXAMPLE0001", "arn:aws:iam::111122223333:user/carol"
	st := fakests.New()
	t.Cleanup(st.Close)
	s := New(st)
	t.Cleanup(s.Close)
	st.AddUserWithSecret(carolKey, secret, carolARN, account)
	s.AddRole(deployARN)
	ctx := context.Background()

	carol, carolSTS := clients(t, s, st, carolKey, "")
	if err := put(carol, "deploy", "ByCarol", denyAll); err != nil {
		t.Fatalf("a correctly signed call: %v", err)
	}
	out, err := carolSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(revokerARN), RoleSessionName: aws.String("revoker")})
	if err != nil {
		t.Fatal(err)
	}
	good := iam.New(iam.Options{Region: "us-east-1", RetryMaxAttempts: 1, BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))})
	if err := put(good, "deploy", "ByRevoker", denyAll); err != nil {
		t.Fatalf("a role session signing with its secret: %v", err)
	}
	forged := iam.New(iam.Options{Region: "us-east-1", RetryMaxAttempts: 1, BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId), "not-the-secret", aws.ToString(out.Credentials.SessionToken))})
	if err := put(forged, "deploy", "Forged", denyAll); codeOf(err) != "SignatureDoesNotMatch" || statusOf(err) != 403 {
		t.Errorf("a forged signature: %v", err)
	}
	if p := s.RolePolicies(deployARN); len(p) != 2 {
		t.Errorf("policies = %v, want carol's and the revoker's", p)
	}
}
