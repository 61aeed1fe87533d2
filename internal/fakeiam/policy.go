package fakeiam

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
)

// ErrMalformedPolicy is the class of errors parsePolicy returns for a
// document IAM would refuse with MalformedPolicyDocument.
var ErrMalformedPolicy = errors.New("malformed policy document")

func errMalformed(detail string) error {
	return &malformedError{detail}
}

type malformedError struct{ detail string }

func (e *malformedError) Error() string        { return "Syntax errors in policy: " + e.detail }
func (e *malformedError) Is(target error) bool { return target == ErrMalformedPolicy }

// statement is one parsed statement of an identity policy. The lists are
// as written; a single string becomes a list of one.
type statement struct {
	sid       string
	effect    string // "Allow" or "Deny"
	actions   []string
	notAction bool // the list is NotAction
	resources []string
	notRes    bool // the list is NotResource
	// conditions is operator -> condition key (as written) -> values, each
	// value the raw JSON scalar (a string, number or boolean).
	conditions map[string]map[string][]json.RawMessage
}

var (
	sidPattern      = regexp.MustCompile(`^[A-Za-z0-9]*$`)
	actionPattern   = regexp.MustCompile(`^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$`)
	versionAccepted = map[string]bool{"2012-10-17": true, "2008-10-17": true}
)

// parsePolicy parses an identity policy document with the checks IAM
// applies before it stores one: a JSON object of Version (optional, one of
// the two policy language versions), Id and Statement (an object or a
// non-empty list); each statement with an Effect of Allow or Deny, exactly
// one of Action/NotAction and of Resource/NotResource, no Principal, a
// Condition of operator -> key -> value(s), unique alphanumeric Sids.
// Element names are case-sensitive, as in IAM (encoding/json's matching is
// not, so objects are read as maps).
func parsePolicy(doc string) ([]statement, error) {
	var top map[string]json.RawMessage
	if err := strictUnmarshal([]byte(doc), &top); err != nil || top == nil {
		return nil, errMalformed("the document is not a JSON object")
	}
	for k := range top {
		switch k {
		case "Version", "Id", "Statement":
		default:
			return nil, errMalformed("unknown element " + k)
		}
	}
	if v, ok := top["Version"]; ok {
		var version string
		if json.Unmarshal(v, &version) != nil || !versionAccepted[version] {
			return nil, errMalformed("the policy must contain a valid version string")
		}
	}
	if id, ok := top["Id"]; ok {
		var s string
		if json.Unmarshal(id, &s) != nil {
			return nil, errMalformed("Id must be a string")
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, errMalformed("the policy has no Statement")
	}
	var rawStatements []json.RawMessage
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		if json.Unmarshal(raw, &rawStatements) != nil || len(rawStatements) == 0 {
			return nil, errMalformed("Statement must be an object or a non-empty list of objects")
		}
	} else {
		rawStatements = []json.RawMessage{raw}
	}
	out := make([]statement, 0, len(rawStatements))
	sids := map[string]bool{}
	for _, rs := range rawStatements {
		st, err := parseStatement(rs)
		if err != nil {
			return nil, err
		}
		if st.sid != "" {
			if sids[st.sid] {
				return nil, errMalformed("Statement IDs (SID) in a single policy must be unique")
			}
			sids[st.sid] = true
		}
		out = append(out, st)
	}
	return out, nil
}

func parseStatement(raw json.RawMessage) (statement, error) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return statement{}, errMalformed("a statement is not a JSON object")
	}
	var st statement
	for k, v := range m {
		var err error
		switch k {
		case "Sid":
			if json.Unmarshal(v, &st.sid) != nil || !sidPattern.MatchString(st.sid) {
				err = errMalformed("Statement IDs (SID) must be alpha-numeric")
			}
		case "Effect":
			if json.Unmarshal(v, &st.effect) != nil || (st.effect != "Allow" && st.effect != "Deny") {
				err = errMalformed("invalid effect")
			}
		case "Action", "NotAction":
			if st.actions != nil {
				return statement{}, errMalformed("a statement has both Action and NotAction")
			}
			st.notAction = k == "NotAction"
			st.actions, err = stringList(v)
			for _, a := range st.actions {
				if err == nil && !actionPattern.MatchString(a) {
					err = errMalformed("invalid action " + a)
				}
			}
		case "Resource", "NotResource":
			if st.resources != nil {
				return statement{}, errMalformed("a statement has both Resource and NotResource")
			}
			st.notRes = k == "NotResource"
			st.resources, err = stringList(v)
			for _, r := range st.resources {
				if err == nil && r != "*" && !bytes.HasPrefix([]byte(r), []byte("arn:")) {
					err = errMalformed("resource " + r + " must be in ARN format or \"*\"")
				}
			}
		case "Condition":
			st.conditions, err = parseCondition(v)
		case "Principal", "NotPrincipal":
			err = errMalformed("Policy document should not specify a principal.")
		default:
			err = errMalformed("unknown element " + k + " in a statement")
		}
		if err != nil {
			return statement{}, err
		}
	}
	switch {
	case st.effect == "":
		return statement{}, errMalformed("a statement has no Effect")
	case st.actions == nil:
		return statement{}, errMalformed("a statement has no Action")
	case st.resources == nil:
		return statement{}, errMalformed("Policy statement must contain resources.")
	}
	return st, nil
}

// stringList reads a string or a non-empty list of strings.
func stringList(raw json.RawMessage) ([]string, error) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if json.Unmarshal(raw, &many) != nil || len(many) == 0 {
		return nil, errMalformed("expected a string or a non-empty list of strings")
	}
	return many, nil
}

// parseCondition reads operator -> key -> scalar or non-empty list of
// scalars.
func parseCondition(raw json.RawMessage) (map[string]map[string][]json.RawMessage, error) {
	var ops map[string]map[string]json.RawMessage
	if json.Unmarshal(raw, &ops) != nil || ops == nil {
		return nil, errMalformed("Condition must map operators to objects of keys")
	}
	out := make(map[string]map[string][]json.RawMessage, len(ops))
	for op, keys := range ops {
		if op == "" || keys == nil {
			return nil, errMalformed("Condition must map operators to objects of keys")
		}
		out[op] = make(map[string][]json.RawMessage, len(keys))
		for key, v := range keys {
			if key == "" {
				return nil, errMalformed("an empty condition key")
			}
			var vals []json.RawMessage
			if t := bytes.TrimSpace(v); len(t) > 0 && t[0] == '[' {
				if json.Unmarshal(v, &vals) != nil || len(vals) == 0 {
					return nil, errMalformed("condition values must be a scalar or a non-empty list")
				}
			} else {
				vals = []json.RawMessage{v}
			}
			for _, val := range vals {
				if t := bytes.TrimSpace(val); len(t) == 0 || t[0] == '{' || t[0] == '[' || string(t) == "null" {
					return nil, errMalformed("condition values must be strings, numbers or booleans")
				}
			}
			out[op][key] = vals
		}
	}
	return out, nil
}

// strictUnmarshal is json.Unmarshal that refuses trailing data.
func strictUnmarshal(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data")
	}
	var extra json.RawMessage
	if d.Decode(&extra) == nil {
		return errors.New("trailing data")
	}
	return nil
}
