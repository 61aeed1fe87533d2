package request

import (
	"errors"
	"testing"

	"github.com/sentinel-cli/sentinel/record"
)

// TestKindValidateNamesTheKindOnce: a damaged stored request is refused
// with an error matching both ErrInvalid values, which reads with the
// kind's words once ("invalid request: ..."), never "invalid request:
// stored ...: invalid: ..." once the store wraps it.
func TestKindValidateNamesTheKindOnce(t *testing.T) {
	for _, tt := range []struct {
		r    *Request
		want string
	}{
		{nil, "invalid request: no request"},
		{&Request{ID: "x"}, "invalid request: request x needs an id, a requester and a profile"},
		{&Request{ID: "x", Requester: "a", Profile: "p", Status: "odd"}, `invalid request: request x has unknown status "odd"`},
		{&Request{ID: "x", Requester: "a", Profile: "p", Status: StatusPending, Version: -1}, "invalid request: request x has negative version -1"},
	} {
		err := Kind.Validate(tt.r)
		if !errors.Is(err, ErrInvalid) || !errors.Is(err, record.ErrInvalid) || err.Error() != tt.want {
			t.Errorf("Validate = %v, want %q matching both ErrInvalid values", err, tt.want)
		}
	}
}
