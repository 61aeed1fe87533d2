package vault

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCredentialsRedaction(t *testing.T) {
	c := Credentials{
		AccessKeyID:     "ASIAEXAMPLEKEYID",
		SecretAccessKey: "very-secret-access-key",
		SessionToken:    "very-secret-session-token",
		Expires:         time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	type holder struct {
		C   Credentials
		Ptr *Credentials
	}
	j, err := json.Marshal(holder{C: c, Ptr: &c})
	if err != nil {
		t.Fatal(err)
	}
	outputs := []string{
		fmt.Sprintf("%v %+v %#v", c, c, c),
		fmt.Sprintf("%s %q %x %X %d", c, c, c, c, c),
		fmt.Sprintf("%v %+v %#v", &c, holder{C: c, Ptr: &c}, []Credentials{c}),
		fmt.Sprint(c), c.String(), c.GoString(),
		fmt.Errorf("wrapped: %v", c).Error(),
		string(j),
	}
	for _, out := range outputs {
		for _, secret := range []string{c.SecretAccessKey, c.SessionToken, "EXAMPLEKEYID"} {
			if strings.Contains(out, secret) {
				t.Errorf("output %q leaks %q", out, secret)
			}
		}
	}
	if got := c.String(); !strings.Contains(got, "ASIA…") || !strings.Contains(got, "2030-01-02T03:04:05Z") {
		t.Errorf("String() = %q, want the key ID prefix and the expiry", got)
	}
}

func TestCredentialsExpired(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		expires time.Time
		margin  time.Duration
		want    bool
	}{
		{"long-lived", time.Time{}, time.Hour, false},
		{"in the future", now.Add(time.Hour), 5 * time.Minute, false},
		{"inside the margin", now.Add(4 * time.Minute), 5 * time.Minute, true},
		{"exactly at the margin", now.Add(5 * time.Minute), 5 * time.Minute, true},
		{"just outside the margin", now.Add(5*time.Minute + time.Second), 5 * time.Minute, false},
		{"past", now.Add(-time.Second), 0, true},
		{"now", now, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Credentials{AccessKeyID: "A", SecretAccessKey: "S", SessionToken: "T", Expires: tt.expires}
			if got := c.Expired(now, tt.margin); got != tt.want {
				t.Errorf("Expired = %v, want %v", got, tt.want)
			}
		})
	}
}

// sprintAll prints v with the verbs most likely to show fields.
func sprintAll(v any) string {
	return fmt.Sprintf("%v %+v %#v", v, v, v)
}
