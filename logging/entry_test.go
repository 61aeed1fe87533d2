package logging

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fillEntry sets every field of an Entry to a non-zero value, so that no
// omitempty field hides from a test. A field of a new kind fails the test
// until fillEntry learns it.
func fillEntry(t *testing.T) Entry {
	t.Helper()
	var e Entry
	v := reflect.ValueOf(&e).Elem()
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Interface().(type) {
		case string:
			f.SetString("x")
		case int64:
			f.SetInt(1)
		case bool:
			f.SetBool(true)
		case *int:
			f.Set(reflect.ValueOf(IntPtr(0)))
		case time.Time:
			f.Set(reflect.ValueOf(now))
		case *time.Time:
			f.Set(reflect.ValueOf(&now))
		case []string:
			f.Set(reflect.ValueOf([]string{"x"}))
		default:
			t.Fatalf("fillEntry does not know field %s of type %s", v.Type().Field(i).Name, f.Type())
		}
	}
	return e
}

func TestEntryHasNoSecretFields(t *testing.T) {
	e := fillEntry(t)
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeOf(e)
	if len(m) != typ.NumField() {
		t.Fatalf("marshalled %d fields, Entry has %d: every field must have its own JSON name", len(m), typ.NumField())
	}
	var names []string
	for k := range m {
		names = append(names, k)
	}
	for i := 0; i < typ.NumField(); i++ {
		names = append(names, typ.Field(i).Name)
	}
	for _, name := range names {
		lower := strings.ToLower(name)
		for _, bad := range []string{"secret", "token", "password"} {
			if strings.Contains(lower, bad) {
				t.Errorf("Entry field %q contains %q: secrets must never be logged", name, bad)
			}
		}
	}
}

func TestEntryRuleIndex(t *testing.T) {
	tests := []struct {
		name  string
		index *int
		want  string
	}{
		{"rule 0 is kept", IntPtr(0), `"rule_index":0`},
		{"rule 3", IntPtr(3), `"rule_index":3`},
		{"lifecycle event omits it", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(Entry{Event: EventDecision, RuleIndex: tt.index})
			if err != nil {
				t.Fatal(err)
			}
			got := string(b)
			if tt.want == "" && strings.Contains(got, "rule_index") {
				t.Errorf("got %s, want no rule_index", got)
			}
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("got %s, want it to contain %s", got, tt.want)
			}
		})
	}
}
