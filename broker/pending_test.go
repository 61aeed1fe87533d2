package broker

import (
	"errors"
	"testing"

	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
)

func TestMatchRequestID(t *testing.T) {
	reqs := []*request.Request{{ID: "abcdef0123456789"}, {ID: "abcdef9876543210"}, {ID: "0123456789abcdef"}, {ID: "abcdef0123456789"}}
	tests := []struct {
		prefix string
		want   string
		err    error
	}{
		{"abcdef01", "abcdef0123456789", nil},
		{"012345", "0123456789abcdef", nil},
		{"ffffffffffffffff", "ffffffffffffffff", nil}, // a full ID is not looked up here
		{"abcdef", "", ErrAmbiguousID},
		{"abcde", "", request.ErrNotFound},
		{"ABCDEF01", "", request.ErrNotFound},
		{"abcdefg", "", request.ErrNotFound},
		{"abcdef0123456789a", "", request.ErrNotFound},
		{"", "", request.ErrNotFound},
		{"999999", "", request.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			got, err := MatchRequestID(tt.prefix, reqs)
			if got != tt.want || (tt.err == nil) != (err == nil) || (tt.err != nil && !errors.Is(err, tt.err)) {
				t.Fatalf("MatchRequestID(%q) = %q, %v; want %q, %v", tt.prefix, got, err, tt.want, tt.err)
			}
		})
	}
	_, err := MatchRequestID("abcdef", reqs)
	var amb *AmbiguousIDError
	if !errors.As(err, &amb) || len(amb.Candidates) != 2 || amb.Candidates[0] != "abcdef0123456789" {
		t.Errorf("ambiguous: %v", err)
	}
	var nf *record.NotFoundError
	if _, err := MatchRequestID("999999", reqs); !errors.As(err, &nf) {
		t.Errorf("no match is a *record.NotFoundError: %v", err)
	}
}

func TestAccountOfARN(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::111122223333:user/alice":       "111122223333",
		"arn:aws:sts::111122223333:assumed-role/r/s": "111122223333",
		"": "", "not-an-arn": "",
	} {
		if got := accountOfARN(arn); got != want {
			t.Errorf("accountOfARN(%q) = %q, want %q", arn, got, want)
		}
	}
}
