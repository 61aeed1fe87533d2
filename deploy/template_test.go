package deploy

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"go.yaml.in/yaml/v3"
)

// Where the service's AWS calls live, relative to the repository root.
// Every non-test Go file matching these globs is scanned.
var scannedSources = []string{
	"store/dynamodb/*.go",
	"vault/sts*.go",
	"broker/*.go",
	"server/*.go",
	"proof/*.go",
	"secretref/awsfetch/*.go",
}

// adminOnlyFiles hold calls only an administrator makes: `sentinel init
// tables` (CreateTable, UpdateTable, DescribeTable, DescribeTimeToLive,
// UpdateTimeToLive) runs with an admin's credentials, never in the
// function, so the function's role is not granted them.
var adminOnlyFiles = map[string]bool{
	"store/dynamodb/init.go": true,
}

// notGranted are SDK calls in the scanned code the function's role needs
// no permission for.
var notGranted = map[string]string{
	// STS answers GetCallerIdentity for any valid credentials; no policy
	// can deny it.
	"GetCallerIdentity": "needs no permission",
	// Only the laptop calls it, with a person's IAM user keys; a role
	// cannot call it, and the service never does.
	"GetSessionToken": "laptop only",
	// Only `sentinel login` calls it, on the laptop, for a profile without
	// a role (the console refuses GetSessionToken credentials); the
	// service never signs anyone in to the console.
	"GetFederationToken": "laptop only",
	// revoke_in_aws: the service makes these with the credentials of an
	// account's revoker role, never its own; the revoker role grants them
	// on the protected roles only (TestRevokerRole).
	"PutRolePolicy":    "made as the revoker role",
	"GetRolePolicy":    "made as the revoker role",
	"DeleteRolePolicy": "made as the revoker role",
	"ListRolePolicies": "made as the revoker role",
}

// resourceKind is what an action must be granted on.
type resourceKind string

const (
	// onTables is resolved, per call, to the table the call names (see
	// tableKind): each table is granted only what the code does there.
	onTables       resourceKind = "the table the call names"
	onIndexes      resourceKind = "the indexes of the four tables"
	onCatalogRoles resourceKind = "the catalogued role ARNs"
	onRevokers     resourceKind = "the revoker roles"
	onLogGroup     resourceKind = "the function's log group"
	onSecrets      resourceKind = "the secrets of the SecretArns parameter"
	onParameters   resourceKind = "the parameters of the ParameterArns parameter"
)

// tableKind is one table, by logical ID.
func tableKind(logicalID string) resourceKind { return resourceKind("table " + logicalID) }

// grant is what one SDK call needs.
type grant struct {
	actions []string
	on      resourceKind
}

// sdkGrants maps each SDK operation the service may call to its IAM
// actions. TransactWriteItems is resolved from the kinds of the items the
// code puts in transactions (see transactionActions). An SDK call missing
// here fails the test: decide what it needs, then add it.
var sdkGrants = map[string]grant{
	"GetItem":        {[]string{"dynamodb:GetItem"}, onTables},
	"PutItem":        {[]string{"dynamodb:PutItem"}, onTables},
	"UpdateItem":     {[]string{"dynamodb:UpdateItem"}, onTables},
	"DeleteItem":     {[]string{"dynamodb:DeleteItem"}, onTables},
	"BatchGetItem":   {[]string{"dynamodb:BatchGetItem"}, onTables},
	"BatchWriteItem": {[]string{"dynamodb:BatchWriteItem"}, onTables},
	"Scan":           {[]string{"dynamodb:Scan"}, onTables},
	"DescribeTable":  {[]string{"dynamodb:DescribeTable"}, onTables},
	// Every QueryInput names an index (checked by the scan).
	"Query": {[]string{"dynamodb:Query"}, onIndexes},
	// The service always sets a SourceIdentity and session tags.
	"AssumeRole": {[]string{"sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"}, onCatalogRoles},
	// The service config's secrets by reference (secretref/awsfetch).
	"GetSecretValue": {[]string{"secretsmanager:GetSecretValue"}, onSecrets},
	"GetParameter":   {[]string{"ssm:GetParameter"}, onParameters},
}

// jsonTargets maps the X-Amz-Target values the secrets fetcher sends
// (secretref/awsfetch makes its calls without the SDK clients) to the
// operations of sdkGrants.
var jsonTargets = map[string]string{
	"secretsmanager.GetSecretValue": "GetSecretValue",
	"AmazonSSM.GetParameter":        "GetParameter",
}

// transactionItemActions maps the fields of types.TransactWriteItem to the
// IAM action DynamoDB checks for that item.
var transactionItemActions = map[string]string{
	"Put":            "dynamodb:PutItem",
	"Update":         "dynamodb:UpdateItem",
	"Delete":         "dynamodb:DeleteItem",
	"ConditionCheck": "dynamodb:ConditionCheckItem",
}

// The logical IDs and parameters of the template the checks refer to.
const (
	secretsParameter = "SecretArns"
	paramsParameter  = "ParameterArns"
	catalogParameter = "CatalogRoleArns"
	// revoke_in_aws: the other accounts' revoker roles, the protected
	// roles of this account, and this account's revoker role.
	otherRevokersParameter = "OtherRevokerRoleArns"
	protectedParameter     = "ProtectedRoleArns"
	revokerResource        = "SentinelRevokerRole"
	ownRevokerARN          = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${RevokerRoleName}"
	roleResource           = "SentinelServiceRole"
	functionResource       = "SentinelFunction"
	logGroupResource       = "SentinelLogGroup"
)

var tableResources = []string{"RequestsTable", "BreakglassTable", "SessionsTable", "RevocationsTable"}

// TestTemplateGrantsWhatTheCodeCalls: every AWS action the service code
// calls is granted on the resources it needs (each table only what the
// code does to that table), and nothing else is.
func TestTemplateGrantsWhatTheCodeCalls(t *testing.T) {
	grantProblems(t, loadTemplate(t), withRevokers(requiredGrants(t)))
}

// withRevokers adds what revoke_in_aws needs of the service role: plain
// sts:AssumeRole on the revoker roles (no SourceIdentity, no tags), to
// make the IAM calls as the revoker of each account.
func withRevokers(required map[string][]resourceKind) map[string][]resourceKind {
	required["sts:AssumeRole"] = append(required["sts:AssumeRole"], onRevokers)
	return required
}

// grantProblems reports, through r, every difference between what the
// role grants and what the code needs.
func grantProblems(r reporter, tpl template, required map[string][]resourceKind) {
	r.Helper()
	granted := grantedActions(r, tpl)
	for action, need := range required {
		kinds, ok := granted[action]
		if !ok {
			r.Errorf("the code calls %s, which the role does not grant (needed on %v)", action, need)
			continue
		}
		for _, on := range need {
			if !slices.Contains(kinds, on) {
				r.Errorf("%s is granted on %v, but the code needs it on %s", action, kinds, on)
			}
		}
	}
	for action, kinds := range granted {
		for _, k := range kinds {
			if k == onLogGroup {
				continue // the runtime writes the log, not the code
			}
			if !slices.Contains(required[action], k) {
				r.Errorf("the role grants %s on %s, which the code does not need", action, k)
			}
		}
	}
	for _, a := range []string{"logs:CreateLogStream", "logs:PutLogEvents"} {
		if !slices.Contains(granted[a], onLogGroup) {
			r.Errorf("the role lacks %s on its log group: the function could not log", a)
		}
	}
}

// requiredGrants scans the service's Go source for SDK client calls and
// returns the IAM actions they need, each with the resource kind.
func requiredGrants(t *testing.T) map[string][]resourceKind {
	t.Helper()
	required := map[string][]resourceKind{}
	need := func(where token.Position, action string, on resourceKind, node ast.Node, fileTables []string) {
		kinds := []resourceKind{on}
		if on == onTables {
			table, ok := tableOf(node, fileTables)
			if !ok && !slices.Equal(fileTables, backendTables) {
				t.Errorf("%s: cannot tell which table %s is on (the call names none, and the file uses %v): name it as aws.String(s.<x>Table)", where, action, fileTables)
				return
			}
			kinds = nil
			if ok {
				kinds = append(kinds, tableKind(table))
			} else {
				for _, table := range fileTables {
					kinds = append(kinds, tableKind(table))
				}
			}
		}
		for _, k := range kinds {
			if !slices.Contains(required[action], k) {
				required[action] = append(required[action], k)
			}
		}
	}
	found := map[string]bool{}
	fset := token.NewFileSet()
	backendTables = declaredBackendTables(t, fset)
	for _, file := range sourceFiles(t) {
		f, err := parser.ParseFile(fset, filepath.Join(repoRoot(t), file), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ops := sdkOperations(file)
		fileTables := tablesIn(f)
		if len(fileTables) == 0 && strings.HasPrefix(file, "store/dynamodb/") {
			// The generic backend names no table of its own: its calls are
			// on every table it is declared over.
			fileTables = backendTables
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				// SDK operations take (ctx, input, optFns...): at least two
				// arguments, which url.Values' Query() and the like do not.
				if !ok || !ops[sel.Sel.Name] || len(n.Args) < 2 {
					return true
				}
				op, where := sel.Sel.Name, fset.Position(n.Pos())
				found[op] = true
				switch g, ok := sdkGrants[op]; {
				case adminOnlyFiles[file]:
				case notGranted[op] != "":
				case op == "TransactWriteItems":
					// resolved from the item kinds below
				case !ok:
					t.Errorf("%s: SDK call %s is not mapped to IAM actions: decide what the function needs for it", where, op)
				default:
					for _, a := range g.actions {
						need(where, a, g.on, n.Args[1], fileTables)
					}
				}
			case *ast.BasicLit:
				// The secrets fetcher makes its two calls itself (AWS JSON
				// 1.1): the X-Amz-Target it sends names the operation.
				op, ok := jsonTargets[strings.Trim(n.Value, "`\"")]
				if !ok || n.Kind != token.STRING || !strings.HasPrefix(file, "secretref/") {
					return true
				}
				found[op] = true
				for _, a := range sdkGrants[op].actions {
					need(fset.Position(n.Pos()), a, sdkGrants[op].on, n, fileTables)
				}
			case *ast.CompositeLit:
				if isSelector(n.Type, "dynamodb", "QueryInput") && !hasKey(n, "IndexName") {
					t.Errorf("%s: a QueryInput without IndexName queries a table: grant dynamodb:Query on the tables and update this test", fset.Position(n.Pos()))
				}
				if !adminOnlyFiles[file] {
					for _, it := range transactionItems(n) {
						need(fset.Position(it.node.Pos()), it.action, onTables, it.node, fileTables)
					}
				}
			}
			return true
		})
	}
	// The scan must find what the service is known to call; if it finds
	// nothing, it is broken, not the code clean.
	for _, op := range []string{"AssumeRole", "GetItem", "PutItem", "UpdateItem", "Query", "TransactWriteItems", "GetSecretValue", "GetParameter"} {
		if !found[op] {
			t.Errorf("the scan found no %s call: is it still finding SDK calls?", op)
		}
	}
	if found["TransactWriteItems"] && len(required["dynamodb:PutItem"]) == 0 {
		t.Error("the scan found transactions but no item kinds in them")
	}
	return required
}

// txItem is one item of a transaction: the IAM action DynamoDB checks
// for it, and the literal it is written in.
type txItem struct {
	action string
	node   ast.Node
}

// transactionItems returns the items of a types.TransactWriteItem
// literal, or of each element of a []types.TransactWriteItem literal
// (whose elements omit the type).
func transactionItems(lit *ast.CompositeLit) []txItem {
	var items []*ast.CompositeLit
	switch typ := lit.Type.(type) {
	case *ast.SelectorExpr:
		if isSelector(typ, "types", "TransactWriteItem") {
			items = append(items, lit)
		}
	case *ast.ArrayType:
		if isSelector(typ.Elt, "types", "TransactWriteItem") {
			for _, e := range lit.Elts {
				if c, ok := e.(*ast.CompositeLit); ok && c.Type == nil {
					items = append(items, c)
				}
			}
		}
	}
	var out []txItem
	for _, item := range items {
		for _, e := range item.Elts {
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				if id, ok := kv.Key.(*ast.Ident); ok && transactionItemActions[id.Name] != "" {
					out = append(out, txItem{transactionItemActions[id.Name], kv.Value})
				}
			}
		}
	}
	return out
}

// storeTableFields maps the store's table fields to the template's
// logical IDs.
var storeTableFields = map[string]string{
	"requestsTable":    "RequestsTable",
	"breakglassTable":  "BreakglassTable",
	"sessionsTable":    "SessionsTable",
	"revocationsTable": "RevocationsTable",
}

// backendTables are the tables the store's one generic backend is
// declared over (backend{table: s.requestsTable, ...}): a call on the
// backend's own table (b.table) is on each of them.
var backendTables []string

// declaredBackendTables finds, in the service's source, every composite
// literal that sets a field table to one of the store's table fields.
func declaredBackendTables(t *testing.T, fset *token.FileSet) []string {
	t.Helper()
	var out []string
	for _, file := range sourceFiles(t) {
		f, err := parser.ParseFile(fset, filepath.Join(repoRoot(t), file), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			kv, ok := n.(*ast.KeyValueExpr)
			if !ok {
				return true
			}
			if key, ok := kv.Key.(*ast.Ident); ok && key.Name == "table" {
				for _, id := range tablesIn(kv.Value) {
					if !slices.Contains(out, id) {
						out = append(out, id)
					}
				}
			}
			return true
		})
	}
	slices.Sort(out)
	if len(out) == 0 {
		t.Error("found no table the generic backend is declared over: is the scan still finding them?")
	}
	return out
}

// tablesIn lists the tables a file refers to (x.requestsTable, ...).
func tablesIn(n ast.Node) []string {
	var out []string
	ast.Inspect(n, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id := storeTableFields[sel.Sel.Name]; id != "" && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		return true
	})
	slices.Sort(out)
	return out
}

// tableOf is the table an item call or transaction item is on: the one
// its own expression names, else the file's only table.
func tableOf(node ast.Node, fileTables []string) (string, bool) {
	if own := tablesIn(node); len(own) == 1 {
		return own[0], true
	} else if len(own) > 1 {
		return "", false
	}
	if len(fileTables) == 1 {
		return fileTables[0], true
	}
	return "", false
}

// sdkOperations is the set of operation names of the clients file may
// use (their exported methods, Options aside).
func sdkOperations(file string) map[string]bool {
	ops := map[string]bool{}
	clients := []any{&dynamodb.Client{}, &sts.Client{}}
	for _, c := range clients {
		typ := reflect.TypeOf(c)
		for i := range typ.NumMethod() {
			if name := typ.Method(i).Name; name != "Options" {
				ops[name] = true
			}
		}
	}
	return ops
}

func sourceFiles(t *testing.T) []string {
	t.Helper()
	root := repoRoot(t)
	var files []string
	for _, glob := range scannedSources {
		matches, err := filepath.Glob(filepath.Join(root, glob))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range matches {
			if !strings.HasSuffix(m, "_test.go") {
				rel, _ := filepath.Rel(root, m)
				files = append(files, filepath.ToSlash(rel))
			}
		}
	}
	if len(files) == 0 {
		t.Fatal("no source files to scan")
	}
	return files
}

// grantedActions reads the role's policies: every action it allows, with
// the resource kinds it is allowed on. Anything broader than the kinds
// (a wildcard action, a "*" resource, another ARN, a Deny, a managed
// policy) fails the test here.
func grantedActions(t reporter, tpl template) map[string][]resourceKind {
	t.Helper()
	role := tpl.resource(t, roleResource, "AWS::IAM::Role")
	if role.Properties["ManagedPolicyArns"] != nil {
		t.Errorf("the role has managed policies: %v", role.Properties["ManagedPolicyArns"])
	}
	trust := mustJSONPolicy(t, role.Properties["AssumeRolePolicyDocument"])
	if len(trust.Statement) != 1 || !reflect.DeepEqual(trust.Statement[0].Principal, map[string]any{"Service": "lambda.amazonaws.com"}) ||
		!reflect.DeepEqual(trust.Statement[0].actions(), []string{"sts:AssumeRole"}) {
		t.Errorf("the role must trust lambda.amazonaws.com only: %+v", trust)
	}
	fn := tpl.resource(t, functionResource, "AWS::Serverless::Function")
	for _, p := range []string{"Policies", "Events"} {
		if fn.Properties[p] != nil {
			t.Errorf("the function declares %s, which would add permissions or triggers beyond the role", p)
		}
	}
	for id, r := range tpl.Resources {
		if r.Type == "AWS::IAM::Policy" || r.Type == "AWS::IAM::ManagedPolicy" {
			t.Errorf("resource %s (%s) adds permissions outside the role's inline policy", id, r.Type)
		}
	}

	policies, _ := role.Properties["Policies"].([]any)
	if len(policies) == 0 {
		t.Fatal("the role has no inline policy")
	}
	granted := map[string][]resourceKind{}
	for _, p := range policies {
		doc := mustJSONPolicy(t, unconditional(t, tpl, p.(map[string]any)["PolicyDocument"]))
		for _, st := range doc.Statement {
			if st.Effect != "Allow" || st.NotAction != nil || st.NotResource != nil {
				t.Errorf("statement %s: only plain Allow statements are expected", st.Sid)
			}
			kinds := resourceKinds(t, st)
			for _, a := range st.actions() {
				if strings.ContainsAny(a, "*?") {
					t.Errorf("statement %s grants a wildcard action %q", st.Sid, a)
				}
				service, _, _ := strings.Cut(a, ":")
				for _, k := range kinds {
					if !kindFitsService(k, service) {
						t.Errorf("statement %s grants %s on %s", st.Sid, a, k)
					}
					granted[a] = append(granted[a], k)
				}
			}
		}
	}
	return granted
}

// kindFitsService keeps each service's actions on its own resources.
func kindFitsService(k resourceKind, service string) bool {
	if strings.HasPrefix(string(k), "table ") {
		return service == "dynamodb"
	}
	switch k {
	case onSecrets:
		return service == "secretsmanager"
	case onParameters:
		return service == "ssm"
	case onIndexes:
		return service == "dynamodb"
	case onCatalogRoles, onRevokers:
		return service == "sts"
	case onLogGroup:
		return service == "logs"
	}
	return false
}

// resourceKinds classifies a statement's resources; anything else fails.
func resourceKinds(t reporter, st statement) []resourceKind {
	t.Helper()
	var list []any
	switch r := st.Resource.(type) {
	case []any:
		list = r
	case nil:
		t.Errorf("statement %s has no Resource", st.Sid)
	default:
		list = []any{r}
	}
	seen := map[resourceKind][]string{}
	for _, r := range list {
		k, name := classifyResource(r)
		if k == "" {
			t.Errorf("statement %s grants on %v: only the catalogued roles, the revoker roles, the four tables, their indexes, the log group and the config's secrets are allowed", st.Sid, r)
			continue
		}
		seen[k] = append(seen[k], name)
	}
	var kinds []resourceKind
	for k, names := range seen {
		if k == onIndexes {
			slices.Sort(names)
			want := slices.Sorted(slices.Values(tableResources))
			if !slices.Equal(names, want) {
				t.Errorf("statement %s: %s covers %v, want each of %v once", st.Sid, k, names, want)
			}
		}
		kinds = append(kinds, k)
	}
	return kinds
}

// classifyResource recognises the only resource forms the role may use.
func classifyResource(r any) (resourceKind, string) {
	m, ok := r.(map[string]any)
	if !ok || len(m) != 1 {
		return "", ""
	}
	if ref, ok := m["Ref"].(string); ok {
		switch ref {
		case catalogParameter:
			return onCatalogRoles, ref
		case secretsParameter:
			return onSecrets, ref
		case paramsParameter:
			return onParameters, ref
		case otherRevokersParameter:
			return onRevokers, ref
		}
	}
	if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) == 2 && ga[1] == "Arn" {
		name, _ := ga[0].(string)
		switch {
		case slices.Contains(tableResources, name):
			return tableKind(name), name
		case name == logGroupResource:
			return onLogGroup, name
		}
	}
	if sub, ok := m["Fn::Sub"].(string); ok {
		if sub == ownRevokerARN {
			return onRevokers, sub
		}
		for _, name := range tableResources {
			if sub == "${"+name+".Arn}/index/*" {
				return onIndexes, name
			}
		}
	}
	return "", ""
}

// TestTemplateTablesMatchTheStore: the tables are the ones `sentinel init
// tables` creates, read from store/dynamodb's source: key id, the same
// indexes with the same keys, all attributes projected, time to live on
// ttl, on-demand billing.
func TestTemplateTablesMatchTheStore(t *testing.T) {
	tpl := loadTemplate(t)
	want := storeTables(t)
	if len(want) != len(tableResources) {
		t.Fatalf("the store creates %d tables (%v), the template has %v", len(want), want, tableResources)
	}
	for _, name := range tableResources {
		spec, ok := want[name]
		if !ok {
			t.Errorf("template table %s has no counterpart in store/dynamodb/init.go (tables: %v)", name, want)
			continue
		}
		r := tpl.resource(t, name, "AWS::DynamoDB::Table")
		var got struct {
			BillingMode            string `json:"BillingMode"`
			AttributeDefinitions   []struct{ AttributeName, AttributeType string }
			KeySchema              []keyElement
			GlobalSecondaryIndexes []struct {
				IndexName  string
				KeySchema  []keyElement
				Projection struct{ ProjectionType string }
			}
			TimeToLiveSpecification struct {
				AttributeName string
				Enabled       bool
			}
		}
		remarshal(t, r.Properties, &got)
		if got.BillingMode != "PAY_PER_REQUEST" {
			t.Errorf("%s: billing mode %q", name, got.BillingMode)
		}
		if !reflect.DeepEqual(got.KeySchema, []keyElement{{spec.key, "HASH"}}) {
			t.Errorf("%s: key %v, want %s", name, got.KeySchema, spec.key)
		}
		if got.TimeToLiveSpecification.AttributeName != spec.ttl || !got.TimeToLiveSpecification.Enabled {
			t.Errorf("%s: time to live %+v, want on %s", name, got.TimeToLiveSpecification, spec.ttl)
		}
		attrs := map[string]bool{spec.key: true}
		var gotIdx, wantIdx []string
		for _, g := range got.GlobalSecondaryIndexes {
			if g.Projection.ProjectionType != "ALL" {
				t.Errorf("%s index %s projects %q, want ALL", name, g.IndexName, g.Projection.ProjectionType)
			}
			gotIdx = append(gotIdx, fmt.Sprint(g.IndexName, g.KeySchema))
		}
		for _, i := range spec.indexes {
			wantIdx = append(wantIdx, fmt.Sprint(i.name, []keyElement{{i.partition, "HASH"}, {i.sort, "RANGE"}}))
			attrs[i.partition], attrs[i.sort] = true, true
		}
		if !slices.Equal(gotIdx, wantIdx) {
			t.Errorf("%s indexes\n got %v\nwant %v", name, gotIdx, wantIdx)
		}
		var gotAttrs []string
		for _, a := range got.AttributeDefinitions {
			if a.AttributeType != "S" {
				t.Errorf("%s: attribute %s of type %s, want S", name, a.AttributeName, a.AttributeType)
			}
			gotAttrs = append(gotAttrs, a.AttributeName)
		}
		slices.Sort(gotAttrs)
		if wantAttrs := slices.Sorted(maps.Keys(attrs)); !slices.Equal(gotAttrs, wantAttrs) {
			t.Errorf("%s attribute definitions %v, want %v", name, gotAttrs, wantAttrs)
		}
	}
}

type keyElement struct{ AttributeName, KeyType string }

// storeTable is one table as store/dynamodb creates it.
type storeTable struct {
	key, ttl string
	indexes  []storeIndex
}

type storeIndex struct{ name, partition, sort string }

// storeTables reads store/dynamodb's source: its string constants, its
// index{...} variables and lists, and the table list of InitTables
// ({name: s.requestsTable, indexes: requestIndexes}), keyed by the
// template's logical ID (requestsTable -> RequestsTable).
func storeTables(t *testing.T) map[string]storeTable {
	t.Helper()
	fset := token.NewFileSet()
	dir := filepath.Join(repoRoot(t), "store", "dynamodb")
	matches, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	indexes := map[string]storeIndex{}
	lists := map[string][]string{}
	tables := map[string]string{} // store field -> index list variable
	for _, m := range matches {
		if strings.HasSuffix(m, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, m, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if i >= len(n.Values) {
						break
					}
					switch v := n.Values[i].(type) {
					case *ast.BasicLit:
						if s, err := strconv.Unquote(v.Value); err == nil && v.Kind == token.STRING {
							consts[name.Name] = s
						}
					case *ast.CompositeLit:
						if id, ok := v.Type.(*ast.Ident); ok && id.Name == "index" {
							indexes[name.Name] = storeIndex{name: fieldValue(v, "name", consts), partition: fieldValue(v, "partitionKey", consts), sort: fieldValue(v, "sortKey", consts)}
						}
						if at, ok := v.Type.(*ast.ArrayType); ok {
							if id, ok := at.Elt.(*ast.Ident); ok && id.Name == "index" {
								for _, e := range v.Elts {
									if id, ok := e.(*ast.Ident); ok {
										lists[name.Name] = append(lists[name.Name], id.Name)
									}
								}
							}
						}
					}
				}
			case *ast.CompositeLit:
				if at, ok := n.Type.(*ast.ArrayType); ok {
					if id, ok := at.Elt.(*ast.Ident); ok && id.Name == "tableSpec" {
						for _, e := range n.Elts {
							spec, ok := e.(*ast.CompositeLit)
							if !ok {
								continue
							}
							var field, list string
							for _, el := range spec.Elts {
								kv, ok := el.(*ast.KeyValueExpr)
								if !ok {
									continue
								}
								switch kv.Key.(*ast.Ident).Name {
								case "name":
									if sel, ok := kv.Value.(*ast.SelectorExpr); ok {
										field = sel.Sel.Name
									}
								case "indexes":
									if id, ok := kv.Value.(*ast.Ident); ok {
										list = id.Name
									}
								}
							}
							tables[field] = list
						}
					}
				}
			}
			return true
		})
	}
	// Constants may be declared after the indexes that use them (the
	// files are read in order): resolve again now that all are known.
	for name, idx := range indexes {
		indexes[name] = storeIndex{name: resolve(idx.name, consts), partition: resolve(idx.partition, consts), sort: resolve(idx.sort, consts)}
	}
	out := map[string]storeTable{}
	for field, list := range tables {
		st := storeTable{key: consts["attrID"], ttl: consts["attrTTL"]}
		for _, v := range lists[list] {
			idx, ok := indexes[v]
			if !ok {
				t.Fatalf("index %s of %s not found in store/dynamodb", v, list)
			}
			st.indexes = append(st.indexes, idx)
		}
		if len(st.indexes) == 0 || st.key == "" || st.ttl == "" {
			t.Fatalf("could not read table %s from store/dynamodb: %+v", field, st)
		}
		out[strings.ToUpper(field[:1])+field[1:]] = st
	}
	return out
}

// fieldValue is a field of an index literal: a string, or the name of a
// constant (resolved later if not yet known, marked with a "@" prefix).
func fieldValue(lit *ast.CompositeLit, field string, consts map[string]string) string {
	for _, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok || kv.Key.(*ast.Ident).Name != field {
			continue
		}
		switch v := kv.Value.(type) {
		case *ast.BasicLit:
			s, _ := strconv.Unquote(v.Value)
			return s
		case *ast.Ident:
			return "@" + v.Name
		}
	}
	return ""
}

func resolve(v string, consts map[string]string) string {
	if name, ok := strings.CutPrefix(v, "@"); ok {
		return consts[name]
	}
	return v
}

// TestTemplateFunction: the function runs the binary as bootstrap on
// provided.al2023, gets its config path from SENTINEL_SERVE_CONFIG, and
// is reachable through a function URL with AuthType NONE (the proof is
// the authentication) and through nothing else.
func TestTemplateFunction(t *testing.T) {
	tpl := loadTemplate(t)
	fn := tpl.resource(t, functionResource, "AWS::Serverless::Function")
	var p struct {
		Handler, Runtime string
		Role             map[string]any
		Environment      struct{ Variables map[string]any }
	}
	remarshal(t, fn.Properties, &p)
	if p.Handler != "bootstrap" || p.Runtime != "provided.al2023" {
		t.Errorf("handler %q runtime %q", p.Handler, p.Runtime)
	}
	if !reflect.DeepEqual(p.Role, map[string]any{"Fn::GetAtt": []any{roleResource, "Arn"}}) {
		t.Errorf("the function's role is %v, want %s", p.Role, roleResource)
	}
	if !reflect.DeepEqual(p.Environment.Variables, map[string]any{"SENTINEL_SERVE_CONFIG": map[string]any{"Ref": "ServeConfigPath"}}) {
		t.Errorf("environment %v: want only SENTINEL_SERVE_CONFIG (no secrets in the environment)", p.Environment.Variables)
	}
	var urls int
	for id, r := range tpl.Resources {
		switch r.Type {
		case "AWS::Lambda::Url":
			urls++
			if r.Properties["AuthType"] != "NONE" || !reflect.DeepEqual(r.Properties["TargetFunctionArn"], map[string]any{"Ref": functionResource}) {
				t.Errorf("%s: %v", id, r.Properties)
			}
		case "AWS::Lambda::Permission":
			switch r.Properties["Action"] {
			case "lambda:InvokeFunctionUrl":
				if r.Properties["FunctionUrlAuthType"] != "NONE" {
					t.Errorf("%s allows invocation beyond the function URL: %v", id, r.Properties)
				}
			case "lambda:InvokeFunction":
				if r.Properties["InvokedViaFunctionUrl"] != true {
					t.Errorf("%s allows direct invocation by anyone: %v", id, r.Properties)
				}
			default:
				t.Errorf("%s: unexpected permission %v", id, r.Properties["Action"])
			}
		}
	}
	if urls != 1 {
		t.Errorf("%d function URLs, want 1", urls)
	}
	if _, ok := tpl.Parameters[catalogParameter]; !ok || tpl.Parameters[catalogParameter].(map[string]any)["Type"] != "CommaDelimitedList" {
		t.Errorf("parameter %s must be a CommaDelimitedList of role ARNs", catalogParameter)
	}
}

// TestProtectedRoleTrust: the example trust policy trusts one principal,
// the service role, allows only what vending needs, and requires a
// SourceIdentity of sentinel's form.
func TestProtectedRoleTrust(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "deploy", "protected-role-trust.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc policyDocument
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2012-10-17" || len(doc.Statement) != 1 {
		t.Fatalf("want one statement, version 2012-10-17: %+v", doc)
	}
	st := doc.Statement[0]
	if st.Effect != "Allow" || st.NotAction != nil || st.NotResource != nil || st.Resource != nil {
		t.Errorf("statement: %+v", st)
	}
	principal, _ := st.Principal.(map[string]any)
	arn, _ := principal["AWS"].(string)
	if len(principal) != 1 || !strings.HasPrefix(arn, "arn:aws:iam::") || !strings.Contains(arn, ":role/") || strings.Contains(arn, "*") {
		t.Errorf("principal %v: want exactly the service role's ARN", st.Principal)
	}
	if got := st.actions(); !slices.Equal(got, []string{"sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"}) {
		t.Errorf("actions %v", got)
	}
	like, _ := st.Condition["StringLike"].(map[string]any)
	if like["sts:SourceIdentity"] != "sentinel.*" {
		t.Errorf("condition %v: want StringLike sts:SourceIdentity sentinel.*", st.Condition)
	}
	// Both tags must be sent: the session ID is what the SentinelRevocations
	// deny names a revoked session by.
	wantNull := map[string]any{"aws:RequestTag/" + RequestIDTag: "false", "aws:RequestTag/" + SessionIDTag: "false"}
	if !reflect.DeepEqual(st.Condition["Null"], wantNull) {
		t.Errorf("condition Null %v, want %v", st.Condition["Null"], wantNull)
	}
}

// template is the part of a CloudFormation template the tests read.
type template struct {
	Transform  string                 `yaml:"Transform"`
	Parameters map[string]any         `yaml:"Parameters"`
	Conditions map[string]any         `yaml:"Conditions"`
	Resources  map[string]cfnResource `yaml:"Resources"`
}

// unconditional replaces, in a policy document, each statement written as
// {Fn::If: [CONDITION, STATEMENT, {Ref: AWS::NoValue}]} by STATEMENT: the
// grant checks hold for the statement when its condition is true, and it
// is absent otherwise. Any other use of Fn::If in a statement fails.
func unconditional(t reporter, tpl template, doc any) any {
	m, ok := doc.(map[string]any)
	if !ok {
		return doc
	}
	list, ok := m["Statement"].([]any)
	if !ok {
		return doc
	}
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	var sts []any
	for _, st := range list {
		if sm, ok := st.(map[string]any); ok && len(sm) == 1 && sm["Fn::If"] != nil {
			args, _ := sm["Fn::If"].([]any)
			if len(args) != 3 || !reflect.DeepEqual(args[2], map[string]any{"Ref": "AWS::NoValue"}) || tpl.Conditions[fmt.Sprint(args[0])] == nil {
				t.Errorf("conditional statement %v: want [a declared condition, the statement, Ref AWS::NoValue]", args)
				continue
			}
			st = args[1]
		}
		sts = append(sts, st)
	}
	out["Statement"] = sts
	return out
}

// cfnResource is one resource of the template.
type cfnResource struct {
	Type       string         `yaml:"Type"`
	Properties map[string]any `yaml:"Properties"`
}

func (tpl template) resource(t reporter, id, typ string) cfnResource {
	t.Helper()
	r, ok := tpl.Resources[id]
	if !ok || r.Type != typ {
		t.Fatalf("resource %s of type %s missing (found %q)", id, typ, r.Type)
	}
	return r
}

func loadTemplate(t *testing.T) template {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "deploy", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var tpl template
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(false)
	if err := dec.Decode(&tpl); err != nil {
		t.Fatalf("parse template: %v", err)
	}
	if strings.Contains(string(data), " !") {
		t.Error("the template uses a short-form intrinsic (!Ref, !Sub...): write the long form so that this test reads it")
	}
	if tpl.Transform != "AWS::Serverless-2016-10-31" {
		t.Errorf("transform %q", tpl.Transform)
	}
	return tpl
}

// policyDocument is an IAM policy.
type policyDocument struct {
	Version   string
	Statement []statement
}

type statement struct {
	Sid         string         `json:"Sid,omitempty"`
	Effect      string         `json:"Effect"`
	Principal   any            `json:"Principal,omitempty"`
	Action      any            `json:"Action,omitempty"`
	NotAction   any            `json:"NotAction,omitempty"`
	Resource    any            `json:"Resource,omitempty"`
	NotResource any            `json:"NotResource,omitempty"`
	Condition   map[string]any `json:"Condition,omitempty"`
}

// actions is Action as a list (IAM allows a string or a list).
func (s statement) actions() []string {
	switch a := s.Action.(type) {
	case string:
		return []string{a}
	case []any:
		out := make([]string, 0, len(a))
		for _, v := range a {
			out = append(out, fmt.Sprint(v))
		}
		return out
	}
	return nil
}

func mustJSONPolicy(t reporter, v any) policyDocument {
	t.Helper()
	var doc policyDocument
	remarshal(t, v, &doc)
	return doc
}

// remarshal converts a decoded YAML value into out through JSON.
func remarshal(t reporter, v, out any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
}

func isSelector(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg && sel.Sel.Name == name
}

func hasKey(lit *ast.CompositeLit, key string) bool {
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == key {
				return true
			}
		}
	}
	return false
}

// repoRoot is the module root, one level above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root: %v", err)
	}
	return root
}

// reporter is what the checks report through: a *testing.T, or a
// collector when a check runs on a template broken on purpose.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Fatal(args ...any)
}
