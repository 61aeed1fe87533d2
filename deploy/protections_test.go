package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// What a security review asks of the deployment (issue 19, section 4, and
// the code-signing and source-ARN conditions of section 3). Each check
// passes on the template as shipped, and fails on a copy broken on
// purpose, so a check that cannot fail does not pass for a protection.

// collector is a reporter that records problems instead of failing.
type collector struct{ problems []string }

// errStop is what Fatal panics with, recovered by collect.
var errStop = fmt.Errorf("check stopped")

func (c *collector) Helper() {}
func (c *collector) Errorf(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}
func (c *collector) Fatalf(format string, args ...any) { c.Errorf(format, args...); panic(errStop) }
func (c *collector) Fatal(args ...any)                 { c.Errorf("%s", fmt.Sprint(args...)); panic(errStop) }

// collect runs check against tpl and returns its problems.
func collect(check func(reporter, template), tpl template) (problems []string) {
	c := &collector{}
	defer func() {
		if r := recover(); r != nil && r != errStop {
			panic(r)
		}
		problems = c.problems
	}()
	check(c, tpl)
	return c.problems
}

// protection is one check with the breaks that must each make it fail.
type protection struct {
	name   string
	check  func(reporter, template)
	breaks map[string]func(template)
}

func TestTemplateProtections(t *testing.T) {
	required := withRevokers(requiredGrants(t))
	for _, p := range protections(required) {
		t.Run(p.name, func(t *testing.T) {
			if problems := collect(p.check, loadTemplate(t)); len(problems) > 0 {
				t.Fatalf("the template fails:\n%s", strings.Join(problems, "\n"))
			}
			if len(p.breaks) == 0 {
				t.Fatal("no break: a check that is never seen failing proves nothing")
			}
			for name, brk := range p.breaks {
				tpl := loadTemplate(t) // a fresh copy for each break
				brk(tpl)
				if problems := collect(p.check, tpl); len(problems) == 0 {
					t.Errorf("broken on purpose (%s), the check still passes", name)
				}
			}
		})
	}
}

// props is resource id's properties (the map itself: edits stick).
func props(tpl template, id string) map[string]any { return tpl.Resources[id].Properties }

func protections(required map[string][]resourceKind) []protection {
	return []protection{
		{
			name: "deletion protection on every table",
			check: func(r reporter, tpl template) {
				for _, id := range tableResources {
					if props(tpl, id)["DeletionProtectionEnabled"] != true {
						r.Errorf("%s: DeletionProtectionEnabled is not true", id)
					}
				}
			},
			breaks: map[string]func(template){
				"sessions table unprotected": func(tpl template) { props(tpl, "SessionsTable")["DeletionProtectionEnabled"] = false },
			},
		},
		{
			name:  "encryption at rest, AWS managed key or the TableKmsKeyArn parameter",
			check: checkTableEncryption,
			breaks: map[string]func(template){
				"no SSESpecification": func(tpl template) { delete(props(tpl, "RequestsTable"), "SSESpecification") },
				"key ignores parameter": func(tpl template) {
					setPath(props(tpl, "BreakglassTable"), "SSESpecification.KMSMasterKeyId", "alias/aws/dynamodb")
				},
			},
		},
		{
			name:  "table resource policies deny item writes but to the service and admin roles",
			check: checkTablePolicies,
			breaks: map[string]func(template){
				"UpdateItem not denied": func(tpl template) {
					st := tableDeny(props(tpl, "SessionsTable"))
					st["Action"] = slices.DeleteFunc(slices.Clone(st["Action"].([]any)), func(a any) bool { return a == "dynamodb:UpdateItem" })
				},
				"any role of the account exempt": func(tpl template) {
					setPath(tableDeny(props(tpl, "RequestsTable")), "Condition.ArnNotEquals.aws:PrincipalArn", []any{map[string]any{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*"}})
				},
				"service role name not fixed": func(tpl template) { delete(props(tpl, roleResource), "RoleName") },
			},
		},
		{
			name:  "grants split per table, as the code uses each",
			check: func(r reporter, tpl template) { grantProblems(r, tpl, required) },
			breaks: map[string]func(template){
				"DeleteItem on sessions": func(tpl template) {
					st := roleStatement(tpl, "SessionsItems")
					st["Action"] = append(st["Action"].([]any), "dynamodb:DeleteItem")
				},
				"UpdateItem on requests": func(tpl template) {
					st := roleStatement(tpl, "RequestsItems")
					st["Action"] = append(st["Action"].([]any), "dynamodb:UpdateItem")
				},
				"secrets on every resource": func(tpl template) { roleStatement(tpl, "ConfigSecrets")["Resource"] = "*" },
			},
		},
		{
			name:  "code signing enforced with the SigningProfileVersionArn parameter",
			check: checkCodeSigning,
			breaks: map[string]func(template){
				"warn only": func(tpl template) {
					setPath(props(tpl, "SentinelCodeSigning"), "CodeSigningPolicies.UntrustedArtifactOnDeployment", "Warn")
				},
				"function not attached": func(tpl template) { delete(props(tpl, functionResource), "CodeSigningConfigArn") },
			},
		},
		{
			name:  "vending only from this function (lambda:SourceFunctionArn)",
			check: checkSourceFunction,
			breaks: map[string]func(template){
				"no condition": func(tpl template) {
					delete(roleStatement(tpl, "VendCataloguedRoles")["Condition"].(map[string]any), "ArnEquals")
				},
				"function name not fixed": func(tpl template) { delete(props(tpl, functionResource), "FunctionName") },
			},
		},
		{
			name:  "the request-ID tag is required (Null), in the grant and the example trust policy",
			check: checkRequestTagRequired,
			breaks: map[string]func(template){
				"no Null in the grant": func(tpl template) {
					delete(roleStatement(tpl, "VendCataloguedRoles")["Condition"].(map[string]any), "Null")
				},
			},
		},
		{
			name:  "log group encrypted with the LogKmsKeyArn parameter, kept on deletion",
			check: checkLogGroup,
			breaks: map[string]func(template){
				"no KmsKeyId": func(tpl template) { delete(props(tpl, logGroupResource), "KmsKeyId") },
			},
		},
		{
			name:  "reserved concurrency as a parameter (0 = unset) and a throttle alarm",
			check: checkConcurrency,
			breaks: map[string]func(template){
				"no alarm": func(tpl template) { delete(tpl.Resources, "SentinelThrottleAlarm") },
				"always reserved": func(tpl template) {
					props(tpl, functionResource)["ReservedConcurrentExecutions"] = map[string]any{"Ref": "ReservedConcurrency"}
				},
				"alarm on errors only": func(tpl template) { props(tpl, "SentinelThrottleAlarm")["MetricName"] = "Errors" },
				"0 reserves 0 (condition inverted)": func(tpl template) {
					tpl.Conditions["HasReservedConcurrency"] = map[string]any{"Fn::Equals": []any{map[string]any{"Ref": "ReservedConcurrency"}, 0}}
				},
			},
		},
		{
			name: "arm64 by default (static bootstrap from make lambda)",
			check: func(r reporter, tpl template) {
				if p, _ := tpl.Parameters["Architecture"].(map[string]any); p == nil || p["Default"] != "arm64" {
					r.Errorf("parameter Architecture: %v, want default arm64", tpl.Parameters["Architecture"])
				}
			},
			breaks: map[string]func(template){
				"x86_64": func(tpl template) { tpl.Parameters["Architecture"].(map[string]any)["Default"] = "x86_64" },
			},
		},
	}
}

func checkTableEncryption(r reporter, tpl template) {
	param, _ := tpl.Parameters["TableKmsKeyArn"].(map[string]any)
	if param == nil || param["Default"] != "" {
		r.Errorf("parameter TableKmsKeyArn must exist with default \"\" (the AWS managed key)")
	}
	wantKey := map[string]any{"Fn::If": []any{"HasTableKmsKey", map[string]any{"Ref": "TableKmsKeyArn"}, map[string]any{"Ref": "AWS::NoValue"}}}
	for _, id := range tableResources {
		sse, _ := props(tpl, id)["SSESpecification"].(map[string]any)
		if sse == nil || sse["SSEEnabled"] != true || sse["SSEType"] != "KMS" || !reflect.DeepEqual(sse["KMSMasterKeyId"], wantKey) {
			r.Errorf("%s: SSESpecification %v, want KMS with the AWS managed key unless TableKmsKeyArn is given", id, sse)
		}
	}
	if !reflect.DeepEqual(tpl.Conditions["HasTableKmsKey"], map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{map[string]any{"Ref": "TableKmsKeyArn"}, ""}}}}) {
		r.Errorf("condition HasTableKmsKey: %v", tpl.Conditions["HasTableKmsKey"])
	}
}

// itemWrites are every action that writes an item.
var itemWrites = []string{"dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PartiQLDelete", "dynamodb:PartiQLInsert",
	"dynamodb:PartiQLUpdate", "dynamodb:PutItem", "dynamodb:UpdateItem"}

// tableDeny is the first statement of a table's resource policy.
func tableDeny(p map[string]any) map[string]any {
	rp, _ := p["ResourcePolicy"].(map[string]any)
	doc, _ := rp["PolicyDocument"].(map[string]any)
	list, _ := doc["Statement"].([]any)
	if len(list) == 0 {
		return map[string]any{}
	}
	st, _ := list[0].(map[string]any)
	return st
}

func checkTablePolicies(r reporter, tpl template) {
	role := props(tpl, roleResource)
	if !reflect.DeepEqual(role["RoleName"], map[string]any{"Ref": "ServiceRoleName"}) {
		r.Errorf("the service role's name is %v, want Ref ServiceRoleName (the tables' policies name it)", role["RoleName"])
	}
	if _, ok := tpl.Parameters["AdminRoleName"]; !ok {
		r.Errorf("no AdminRoleName parameter")
	}
	wantPrincipals := []any{
		map[string]any{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${ServiceRoleName}"},
		map[string]any{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AdminRoleName}"},
	}
	nameParams := map[string]string{"RequestsTable": "RequestsTableName", "BreakglassTable": "BreakglassTableName", "SessionsTable": "SessionsTableName", "RevocationsTable": "RevocationsTableName"}
	for _, id := range tableResources {
		p := props(tpl, id)
		rp, _ := p["ResourcePolicy"].(map[string]any)
		doc := mustJSONPolicy(r, rp["PolicyDocument"])
		if len(doc.Statement) != 1 {
			r.Errorf("%s: resource policy %v, want one Deny statement", id, rp)
			continue
		}
		st := doc.Statement[0]
		actions := st.actions()
		slices.Sort(actions)
		if st.Effect != "Deny" || st.Principal != "*" || !slices.Equal(actions, itemWrites) {
			r.Errorf("%s: %s %v on %v, want Deny to * of %v", id, st.Effect, st.Principal, actions, itemWrites)
		}
		wantResource := map[string]any{"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${" + nameParams[id] + "}"}
		if !reflect.DeepEqual(st.Resource, wantResource) {
			r.Errorf("%s: resource %v, want %v", id, st.Resource, wantResource)
		}
		if !reflect.DeepEqual(st.Condition, map[string]any{"ArnNotEquals": map[string]any{"aws:PrincipalArn": wantPrincipals}}) {
			r.Errorf("%s: condition %v, want ArnNotEquals aws:PrincipalArn the service and admin roles", id, st.Condition)
		}
	}
}

// roleStatement is the role's statement with sid (unwrapping Fn::If).
func roleStatement(tpl template, sid string) map[string]any {
	for _, p := range props(tpl, roleResource)["Policies"].([]any) {
		doc := p.(map[string]any)["PolicyDocument"].(map[string]any)
		for _, st := range doc["Statement"].([]any) {
			m := st.(map[string]any)
			if c, ok := m["Fn::If"].([]any); ok {
				m = c[1].(map[string]any)
			}
			if m["Sid"] == sid {
				return m
			}
		}
	}
	return map[string]any{}
}

func checkCodeSigning(r reporter, tpl template) {
	var found string
	for id, res := range tpl.Resources {
		if res.Type == "AWS::Lambda::CodeSigningConfig" {
			found = id
			var c struct {
				AllowedPublishers   struct{ SigningProfileVersionArns []any }
				CodeSigningPolicies struct{ UntrustedArtifactOnDeployment string }
			}
			remarshal(r, res.Properties, &c)
			if c.CodeSigningPolicies.UntrustedArtifactOnDeployment != "Enforce" {
				r.Errorf("%s: UntrustedArtifactOnDeployment %q, want Enforce", id, c.CodeSigningPolicies.UntrustedArtifactOnDeployment)
			}
			if !reflect.DeepEqual(c.AllowedPublishers.SigningProfileVersionArns, []any{map[string]any{"Ref": "SigningProfileVersionArn"}}) {
				r.Errorf("%s: publishers %v, want the SigningProfileVersionArn parameter", id, c.AllowedPublishers.SigningProfileVersionArns)
			}
		}
	}
	if found == "" {
		r.Fatal("no AWS::Lambda::CodeSigningConfig")
	}
	if got := props(tpl, functionResource)["CodeSigningConfigArn"]; !reflect.DeepEqual(got, map[string]any{"Fn::GetAtt": []any{found, "CodeSigningConfigArn"}}) {
		r.Errorf("the function's CodeSigningConfigArn is %v, want %s's", got, found)
	}
	if _, ok := tpl.Parameters["SigningProfileVersionArn"]; !ok {
		r.Errorf("no SigningProfileVersionArn parameter")
	}
}

func checkSourceFunction(r reporter, tpl template) {
	if got := props(tpl, functionResource)["FunctionName"]; !reflect.DeepEqual(got, map[string]any{"Ref": "FunctionName"}) {
		r.Errorf("FunctionName %v: want the FunctionName parameter (a fixed name the role's policy can name)", got)
	}
	cond, _ := roleStatement(tpl, "VendCataloguedRoles")["Condition"].(map[string]any)
	want := map[string]any{"lambda:SourceFunctionArn": map[string]any{"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${FunctionName}"}}
	if !reflect.DeepEqual(cond["ArnEquals"], want) {
		r.Errorf("VendCataloguedRoles: ArnEquals %v, want %v", cond["ArnEquals"], want)
	}
}

func checkRequestTagRequired(r reporter, tpl template) {
	want := map[string]any{"aws:RequestTag/" + RequestIDTag: "false"}
	cond, _ := roleStatement(tpl, "VendCataloguedRoles")["Condition"].(map[string]any)
	if !reflect.DeepEqual(cond["Null"], want) {
		r.Errorf("VendCataloguedRoles: Null %v, want %v", cond["Null"], want)
	}
}

func checkLogGroup(r reporter, tpl template) {
	p := props(tpl, logGroupResource)
	want := map[string]any{"Fn::If": []any{"HasLogKmsKey", map[string]any{"Ref": "LogKmsKeyArn"}, map[string]any{"Ref": "AWS::NoValue"}}}
	if !reflect.DeepEqual(p["KmsKeyId"], want) {
		r.Errorf("log group KmsKeyId %v, want %v", p["KmsKeyId"], want)
	}
	if _, ok := tpl.Parameters["LogKmsKeyArn"]; !ok {
		r.Errorf("no LogKmsKeyArn parameter")
	}
}

func checkConcurrency(r reporter, tpl template) {
	param, _ := tpl.Parameters["ReservedConcurrency"].(map[string]any)
	if param == nil || param["Type"] != "Number" || fmt.Sprint(param["Default"]) != "0" {
		r.Errorf("parameter ReservedConcurrency %v: want a Number defaulting to 0", param)
	}
	want := map[string]any{"Fn::If": []any{"HasReservedConcurrency", map[string]any{"Ref": "ReservedConcurrency"}, map[string]any{"Ref": "AWS::NoValue"}}}
	if got := props(tpl, functionResource)["ReservedConcurrentExecutions"]; !reflect.DeepEqual(got, want) {
		r.Errorf("ReservedConcurrentExecutions %v, want %v (0 leaves it unset)", got, want)
	}
	// The condition itself: true exactly when the parameter is not 0.
	// Inverted, the default 0 would reserve 0 executions, which stops the
	// function from running at all.
	if !isNotEqualsZero(tpl.Conditions["HasReservedConcurrency"], "ReservedConcurrency") {
		r.Errorf("condition HasReservedConcurrency %v, want Fn::Not [Fn::Equals [Ref ReservedConcurrency, 0]]", tpl.Conditions["HasReservedConcurrency"])
	}
	alarms := 0
	for id, res := range tpl.Resources {
		if res.Type != "AWS::CloudWatch::Alarm" || res.Properties["MetricName"] != "Throttles" {
			continue
		}
		alarms++
		p := res.Properties
		dims, _ := p["Dimensions"].([]any)
		if p["Namespace"] != "AWS/Lambda" || len(dims) != 1 || !reflect.DeepEqual(dims[0], map[string]any{"Name": "FunctionName", "Value": map[string]any{"Ref": functionResource}}) ||
			p["ComparisonOperator"] != "GreaterThanThreshold" || fmt.Sprint(p["Threshold"]) != "0" {
			r.Errorf("%s: %v: want Throttles of the function over 0", id, p)
		}
	}
	if alarms != 1 {
		r.Errorf("%d throttle alarms, want 1", alarms)
	}
}

// isNotEqualsZero reports whether cond is {Fn::Not: [{Fn::Equals: [{Ref:
// param}, 0]}]} (the 0 as a number or a string: CloudFormation compares
// them as strings).
func isNotEqualsZero(cond any, param string) bool {
	not, _ := cond.(map[string]any)
	args, _ := not["Fn::Not"].([]any)
	if len(not) != 1 || len(args) != 1 {
		return false
	}
	eq, _ := args[0].(map[string]any)
	pair, _ := eq["Fn::Equals"].([]any)
	if len(eq) != 1 || len(pair) != 2 {
		return false
	}
	ref := map[string]any{"Ref": param}
	return (reflect.DeepEqual(pair[0], ref) && fmt.Sprint(pair[1]) == "0") ||
		(reflect.DeepEqual(pair[1], ref) && fmt.Sprint(pair[0]) == "0")
}

// setPath sets a dotted path of up to three nested map keys; the third
// key may itself hold dots (aws:PrincipalArn has none, but a tag key
// could).
func setPath(m map[string]any, path string, v any) {
	keys := strings.SplitN(path, ".", 3)
	for i, k := range keys {
		if i == len(keys)-1 {
			m[k] = v
			return
		}
		next, _ := m[k].(map[string]any)
		if next == nil {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
}

// TestProtectedRoleTrustBreaks: the example trust policy's request-tag
// and session-tag Null conditions are checked, and removing either fails
// the check.
func TestProtectedRoleTrustBreaks(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "deploy", "protected-role-trust.json"))
	if err != nil {
		t.Fatal(err)
	}
	check := func(doc policyDocument) error {
		if len(doc.Statement) != 1 {
			return fmt.Errorf("%d statements", len(doc.Statement))
		}
		null, _ := doc.Statement[0].Condition["Null"].(map[string]any)
		for _, tag := range []string{RequestIDTag, SessionIDTag} {
			if null["aws:RequestTag/"+tag] != "false" {
				return fmt.Errorf("condition %v: want Null aws:RequestTag/%s false", doc.Statement[0].Condition, tag)
			}
		}
		return nil
	}
	var doc policyDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if err := check(doc); err != nil {
		t.Fatal(err)
	}
	delete(doc.Statement[0].Condition["Null"].(map[string]any), "aws:RequestTag/"+SessionIDTag)
	if check(doc) == nil {
		t.Error("without the session tag's Null condition the check still passes")
	}
	delete(doc.Statement[0].Condition, "Null")
	if check(doc) == nil {
		t.Error("without the Null condition the check still passes")
	}
}
