package server

import "testing"

func TestIDPrefixQuery(t *testing.T) {
	tests := []struct {
		q      map[string]string
		prefix string
		ok     bool
		bad    bool
	}{
		{map[string]string{}, "", false, false},
		{map[string]string{"id_prefix": "2654f4"}, "2654f4", true, false},
		{map[string]string{"id_prefix": "2654f465d181b84"}, "2654f465d181b84", true, false},
		{map[string]string{"id_prefix": "2654f"}, "", false, true},
		{map[string]string{"id_prefix": "2654f465d181b84b"}, "", false, true},
		{map[string]string{"id_prefix": "2654F4"}, "", false, true},
		{map[string]string{"id_prefix": "2654g4"}, "", false, true},
		{map[string]string{"id_prefix": "2654f4", "status": "pending"}, "", false, true},
		{map[string]string{"id_prefix": "2654f4", "reviewable": "true"}, "", false, true},
	}
	for _, tt := range tests {
		prefix, ok, err := idPrefixQuery(tt.q)
		if prefix != tt.prefix || ok != tt.ok || (err != nil) != tt.bad {
			t.Errorf("idPrefixQuery(%v) = %q, %v, %v", tt.q, prefix, ok, err)
		}
	}
}
