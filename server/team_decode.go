package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxField bounds a profile name or a query value.
const maxField = 256

// decodeBody decodes a JSON object strictly into v: unknown fields,
// trailing data and wrong types are bad requests. An empty body is an
// empty object unless required.
func decodeBody(body []byte, v any, required bool) error {
	if len(bytes.TrimSpace(body)) == 0 {
		if required {
			return badRequest("a JSON body is required")
		}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("the body is not the JSON object expected: " + jsonProblem(err))
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return badRequest("the body holds more than one JSON value")
	}
	return nil
}

// jsonProblem says what is wrong with a body without repeating it.
func jsonProblem(err error) string {
	var (
		typeErr *json.UnmarshalTypeError
		synErr  *json.SyntaxError
	)
	switch {
	case errors.As(err, &typeErr):
		return "field " + typeErr.Field + " has the wrong type"
	case errors.As(err, &synErr):
		return "syntax error"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + clean(strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return "malformed"
}

// noBody refuses a body on a call that takes none.
func noBody(body []byte) error {
	if len(body) != 0 {
		return badRequest("this call takes no body")
	}
	return nil
}

// parseQuery reads the query of a listing: only the keys allowed, each at
// most once, each value a short printable string.
func parseQuery(raw string, allowed []string) (map[string]string, error) {
	out := map[string]string{}
	if raw == "" {
		return out, nil
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return nil, badRequest("the query is malformed")
	}
	for k, vs := range values {
		if !slices.Contains(allowed, k) {
			return nil, badRequest("unknown query parameter " + clean(k))
		}
		if len(vs) != 1 {
			return nil, badRequest("query parameter " + k + " is given more than once")
		}
		if err := checkField(k, vs[0]); err != nil {
			return nil, err
		}
		out[k] = vs[0]
	}
	return out, nil
}

// checkProfile checks a profile name from a body before any lookup.
func checkProfile(p string) error {
	if p == "" {
		return badRequest("profile is required")
	}
	return checkField("profile", p)
}

func checkField(name, v string) error {
	if len(v) > maxField || !utf8.ValidString(v) {
		return badRequest(name + " is too long or not UTF-8")
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return badRequest(name + " holds a control character")
		}
	}
	return nil
}
