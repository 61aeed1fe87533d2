package record

import (
	"errors"
	"testing"
)

var errKindNotFound = errors.New("widget not found")

func TestNotFoundError(t *testing.T) {
	tests := []struct {
		name string
		err  *NotFoundError
		want string
	}{
		{"with ID", &NotFoundError{Kind: "session", ID: "0123456789abcdef"}, "no session with ID 0123456789abcdef"},
		{"no ID", &NotFoundError{Kind: "session"}, "no session ID given"},
		{"kind error", &NotFoundError{Kind: "widget", ID: "x", Err: errKindNotFound}, "no widget with ID x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if !errors.Is(tt.err, ErrNotFound) {
				t.Error("does not match ErrNotFound")
			}
			if tt.err.Err != nil && !errors.Is(tt.err, tt.err.Err) {
				t.Error("does not match the kind's own error")
			}
		})
	}
}

func TestForbiddenError(t *testing.T) {
	tests := []struct {
		name string
		err  *ForbiddenError
		want string
	}{
		{"actor and action", &ForbiddenError{Actor: "alice (arn:aws:iam::111122223333:user/alice)", Action: "revoke session 0123456789abcdef", Reason: "only its own user may"},
			"alice (arn:aws:iam::111122223333:user/alice) may not revoke session 0123456789abcdef: only its own user may"},
		{"reason only", &ForbiddenError{Reason: "no approval rule covers profile prod"}, "no approval rule covers profile prod"},
		{"listing", &ForbiddenError{Kind: "session", Reason: "only approvers may list every session"}, "session: only approvers may list every session"},
		{"record", &ForbiddenError{Kind: "request", ID: "0123456789abcdef", Reason: "not yours"}, "request 0123456789abcdef: not yours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if !errors.Is(tt.err, ErrForbidden) {
				t.Error("does not match ErrForbidden")
			}
		})
	}
}
