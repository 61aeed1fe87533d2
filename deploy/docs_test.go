package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The items of the review that live in the documents rather than the
// template: each must be in docs/deploy.md (or guarantees.md), and taking
// it out must fail the check.
var docItems = []struct {
	name, file string
	re         *regexp.Regexp
}{
	{"CloudTrail data events for the tables", "deploy.md", regexp.MustCompile(`put-event-selectors[\s\S]*AWS::DynamoDB::Table`)},
	{"export to S3 with Object Lock", "deploy.md", regexp.MustCompile(`object-lock-enabled-for-bucket[\s\S]*"Mode":"COMPLIANCE"`)},
	{"the /tmp chain is lost on Lambda", "deploy.md", regexp.MustCompile(`each execution environment keeps its own chain in\s+` + "`/tmp`")},
	{"logs:Delete* and PutRetentionPolicy denied by SCP", "deploy.md", regexp.MustCompile(`logs:DeleteLogGroup[\s\S]*logs:PutRetentionPolicy`)},
	{"importing existing tables", "deploy.md", regexp.MustCompile(`--change-set-type IMPORT`)},
	{"files installed 0644", "deploy.md", regexp.MustCompile(`install -m 0644 serve\.yaml policy\.yaml`)},
	{"the Go toolchain pinned", "deploy.md", regexp.MustCompile(`GOTOOLCHAIN=go1\.\d+\.\d+ make lambda ARCH=arm64`)},
	{"WAF does not attach to HTTP APIs", "deploy.md", regexp.MustCompile(`WAF does not attach to an API Gateway HTTP API`)},
	{"a function URL left in place bypasses the front", "deploy.md", regexp.MustCompile(`function URL left reachable\s+bypasses whatever sits in front`)},
	{"who can become the service, SCP and RCP", "deploy.md", regexp.MustCompile(`## Who can become the service[\s\S]*"Sid": "OnlyCIChangesTheService"[\s\S]*"Sid": "OnlySentinelAssumesProtectedRoles"`)},
	{"policy changes ship from CI", "deploy.md", regexp.MustCompile(`\*\*How a policy change ships\.\*\*[\s\S]*No one deploys from a laptop`)},
	{"the one-hour ceiling", "deploy.md", regexp.MustCompile(`## Credentials past one hour[\s\S]*caps every hop at 3600 seconds`)},
	{"the whole chain", "deploy.md", regexp.MustCompile(`sentinel policy roles --trust --service-role ARN POLICY`)},
	{"make lambda documented", "deploy.md", regexp.MustCompile("`make lambda` writes `deploy/build/bootstrap`")},
	{"the revoker roles", "deploy.md", regexp.MustCompile(`## Revocation in AWS: the revoker roles[\s\S]*deploy/revoker-role\.yaml`)},
	{"ListRolePolicies for the size budget", "deploy.md", regexp.MustCompile("`iam:ListRolePolicies` \\(with\\s+`iam:GetRolePolicy`\\) is there because a role's inline policies share one\\s+10,240-character budget")},
	{"the SCP keeps all but the revoker off the protected roles", "deploy.md", regexp.MustCompile(`"Sid": "OnlyTheRevokerEditsProtectedRoles"[\s\S]*"iam:PutRolePolicy",\s*"iam:DeleteRolePolicy",\s*"iam:DeleteRole",\s*"iam:UpdateAssumeRolePolicy"[\s\S]*"ArnNotLike": \{"aws:PrincipalArn": "arn:aws:iam::\*:role/sentinel-revoker"\}`)},
	{"IAM cannot target one policy name", "deploy.md", regexp.MustCompile(`\*\*IAM cannot target one policy name\.\*\*`)},
	{"SCPs do not bind the management account", "deploy.md", regexp.MustCompile(`\*\*SCPs do not bind the management account\*\*`)},
	{"guarantees: team mode", "guarantees.md", regexp.MustCompile(`## Team mode \(the service\)`)},
}

func TestDeployDocsCoverTheReview(t *testing.T) {
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	docs := map[string]string{"deploy.md": read("deploy.md"), "guarantees.md": read("guarantees.md")}
	for _, item := range docItems {
		text := docs[item.file]
		loc := item.re.FindStringIndex(text)
		if loc == nil {
			t.Errorf("%s: %s is missing (want %s)", item.file, item.name, item.re)
			continue
		}
		// Broken on purpose: without the passage the check fails.
		if item.re.MatchString(text[:loc[0]] + text[loc[1]:]) {
			t.Errorf("%s: %s: the check still passes with the passage removed", item.file, item.name)
		}
	}
	if strings.Contains(docs["guarantees.md"], "a later issue") {
		t.Error("guarantees.md still calls the team service a later issue")
	}
	// The pinned toolchain is at least the go.mod's.
	mod, err := os.ReadFile(filepath.Join(repoRoot(t), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)`).FindStringSubmatch(string(mod))
	pin := regexp.MustCompile(`GOTOOLCHAIN=go(\d+)\.(\d+)\.\d+`).FindStringSubmatch(docs["deploy.md"])
	if goLine == nil || pin == nil || pin[1] != goLine[1] || atoi(pin[2]) < atoi(goLine[2]) {
		t.Errorf("the documented toolchain %v does not satisfy go.mod's %v", pin, goLine)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
