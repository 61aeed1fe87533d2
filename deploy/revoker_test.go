package deploy

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// revokerActions are all a revoker role may do: write, read and delete
// the SentinelRevocations inline policy, and list the role's inline
// policies, whose sizes count against the same 10,240-character budget.
var revokerActions = []string{"iam:DeleteRolePolicy", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:PutRolePolicy"}

// TestRevokerRole: the revoker role, in the service template and in
// deploy/revoker-role.yaml for the other accounts, is trusted by the
// service role only and may only edit the inline policies of the
// protected roles; and the service role may assume the revokers (and the
// catalogued roles) and nothing else, which TestTemplateGrantsWhatTheCodeCalls
// checks through withRevokers.
func TestRevokerRole(t *testing.T) {
	for _, c := range []struct {
		file      string
		principal any
	}{
		{"template.yaml", map[string]any{"Fn::GetAtt": []any{roleResource, "Arn"}}},
		{"revoker-role.yaml", map[string]any{"Ref": "ServiceRoleArn"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			check := func(r reporter, tpl template) { checkRevoker(r, tpl, c.principal) }
			if problems := collect(check, loadTemplateFile(t, c.file)); len(problems) > 0 {
				t.Fatalf("%s fails:\n%s", c.file, strings.Join(problems, "\n"))
			}
			for name, brk := range revokerBreaks {
				tpl := loadTemplateFile(t, c.file)
				brk(tpl)
				if problems := collect(check, tpl); len(problems) == 0 {
					t.Errorf("broken on purpose (%s), the check still passes", name)
				}
			}
		})
	}
}

// TestOwnRevokerIsTheAssumedOne: the service role's AssumeRole on this
// account's revoker names the role the template makes (same name
// parameter), and only from this function.
func TestOwnRevokerIsTheAssumedOne(t *testing.T) {
	tpl := loadTemplate(t)
	if got := props(tpl, revokerResource)["RoleName"]; !reflect.DeepEqual(got, map[string]any{"Ref": "RevokerRoleName"}) {
		t.Errorf("revoker RoleName %v, want Ref RevokerRoleName (the ARN the service role may assume)", got)
	}
	for _, sid := range []string{"AssumeThisAccountsRevoker", "AssumeOtherAccountsRevokers"} {
		st := roleStatement(tpl, sid)
		if st == nil {
			t.Fatalf("service role statement %s missing", sid)
		}
		if !reflect.DeepEqual(st["Action"], []any{"sts:AssumeRole"}) {
			t.Errorf("%s: actions %v, want only sts:AssumeRole", sid, st["Action"])
		}
		cond, _ := st["Condition"].(map[string]any)
		want := map[string]any{"lambda:SourceFunctionArn": map[string]any{"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${FunctionName}"}}
		if !reflect.DeepEqual(cond["ArnEquals"], want) {
			t.Errorf("%s: ArnEquals %v, want %v", sid, cond["ArnEquals"], want)
		}
	}
}

// revokerBreaks each widen the revoker role; the check must see every one.
var revokerBreaks = map[string]func(template){
	"wildcard resource": func(tpl template) {
		revokerStatement(tpl)["Resource"] = "*"
	},
	"resource pattern": func(tpl template) {
		revokerStatement(tpl)["Resource"] = []any{map[string]any{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*"}}
	},
	"extra action": func(tpl template) {
		st := revokerStatement(tpl)
		st["Action"] = append(slices.Clone(st["Action"].([]any)), "iam:UpdateAssumeRolePolicy")
	},
	"wildcard action": func(tpl template) {
		revokerStatement(tpl)["Action"] = []any{"iam:*RolePolicy"}
	},
	"NotResource": func(tpl template) {
		st := revokerStatement(tpl)
		delete(st, "Resource")
		st["NotResource"] = map[string]any{"Ref": protectedParameter}
	},
	"second statement": func(tpl template) {
		doc := props(tpl, revokerResource)["Policies"].([]any)[0].(map[string]any)["PolicyDocument"].(map[string]any)
		doc["Statement"] = append(doc["Statement"].([]any), map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": map[string]any{"Ref": protectedParameter}})
	},
	"managed policy": func(tpl template) {
		props(tpl, revokerResource)["ManagedPolicyArns"] = []any{"arn:aws:iam::aws:policy/IAMFullAccess"}
	},
	"trusted by anyone": func(tpl template) {
		revokerTrust(tpl)["Principal"] = map[string]any{"AWS": "*"}
	},
	"trusted by the account": func(tpl template) {
		revokerTrust(tpl)["Principal"] = map[string]any{"AWS": map[string]any{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
	},
	"trust allows tagging": func(tpl template) {
		revokerTrust(tpl)["Action"] = []any{"sts:AssumeRole", "sts:TagSession"}
	},
	"policy added beside the role": func(tpl template) {
		tpl.Resources["Extra"] = cfnResource{Type: "AWS::IAM::Policy", Properties: map[string]any{"Roles": []any{map[string]any{"Ref": revokerResource}}}}
	},
}

// checkRevoker is the revoker role's least privilege.
func checkRevoker(r reporter, tpl template, principal any) {
	r.Helper()
	role := tpl.resource(r, revokerResource, "AWS::IAM::Role")
	if role.Properties["ManagedPolicyArns"] != nil {
		r.Errorf("the revoker has managed policies: %v", role.Properties["ManagedPolicyArns"])
	}
	for id, res := range tpl.Resources {
		if res.Type == "AWS::IAM::Policy" || res.Type == "AWS::IAM::ManagedPolicy" || res.Type == "AWS::IAM::RolePolicy" {
			r.Errorf("resource %s (%s) adds permissions outside the roles' inline policies", id, res.Type)
		}
	}
	trust := mustJSONPolicy(r, role.Properties["AssumeRolePolicyDocument"])
	if len(trust.Statement) != 1 {
		r.Fatalf("the revoker's trust has %d statements, want 1", len(trust.Statement))
	}
	ts := trust.Statement[0]
	if ts.Effect != "Allow" || ts.NotAction != nil || !reflect.DeepEqual(ts.Principal, map[string]any{"AWS": principal}) {
		r.Errorf("the revoker must trust the service role only (%v): %+v", principal, ts)
	}
	if got := ts.actions(); !slices.Equal(got, []string{"sts:AssumeRole"}) {
		r.Errorf("the revoker's trust allows %v, want only sts:AssumeRole", got)
	}
	policies, _ := role.Properties["Policies"].([]any)
	if len(policies) != 1 {
		r.Fatalf("the revoker has %d inline policies, want 1", len(policies))
	}
	doc := mustJSONPolicy(r, policies[0].(map[string]any)["PolicyDocument"])
	if len(doc.Statement) != 1 {
		r.Fatalf("the revoker's policy has %d statements, want 1", len(doc.Statement))
	}
	st := doc.Statement[0]
	if st.Effect != "Allow" || st.NotAction != nil || st.NotResource != nil {
		r.Errorf("the revoker's statement must be a plain Allow: %+v", st)
	}
	got := slices.Sorted(slices.Values(st.actions()))
	if !slices.Equal(got, revokerActions) {
		r.Errorf("the revoker may %v, want exactly %v", got, revokerActions)
	}
	if !reflect.DeepEqual(st.Resource, map[string]any{"Ref": protectedParameter}) {
		r.Errorf("the revoker acts on %v, want exactly the protected roles (Ref %s)", st.Resource, protectedParameter)
	}
	p, _ := tpl.Parameters[protectedParameter].(map[string]any)
	if p == nil || p["Type"] != "CommaDelimitedList" || strings.Contains(fmtAny(p["Default"]), "*") {
		r.Errorf("parameter %s must be a CommaDelimitedList of role ARNs with no wildcard default: %v", protectedParameter, p)
	}
}

func fmtAny(v any) string {
	s, _ := v.(string)
	return s
}

func revokerStatement(tpl template) map[string]any {
	doc := props(tpl, revokerResource)["Policies"].([]any)[0].(map[string]any)["PolicyDocument"].(map[string]any)
	return doc["Statement"].([]any)[0].(map[string]any)
}

func revokerTrust(tpl template) map[string]any {
	doc := props(tpl, revokerResource)["AssumeRolePolicyDocument"].(map[string]any)
	return doc["Statement"].([]any)[0].(map[string]any)
}

// loadTemplateFile reads a template of deploy/ in the long form.
func loadTemplateFile(t *testing.T, name string) template {
	t.Helper()
	if name == "template.yaml" {
		return loadTemplate(t)
	}
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "deploy", name))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), " !") {
		t.Errorf("%s uses a short-form intrinsic: write the long form so that this test reads it", name)
	}
	var tpl template
	if err := yaml.Unmarshal(data, &tpl); err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return tpl
}
