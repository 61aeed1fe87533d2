package breakglass

import (
	"errors"
	"testing"

	"github.com/sentinel-cli/sentinel/record"
)

// TestKindValidateNamesTheKindOnce: see request's; the same for events.
func TestKindValidateNamesTheKindOnce(t *testing.T) {
	for _, tt := range []struct {
		e    *Event
		want string
	}{
		{nil, "invalid break-glass event: no break-glass event"},
		{&Event{ID: "x"}, "invalid break-glass event: break-glass event x needs an id, an invoker and a profile"},
		{&Event{ID: "x", Invoker: "a", Profile: "p", Status: "odd"}, `invalid break-glass event: break-glass event x has unknown status "odd"`},
		{&Event{ID: "x", Invoker: "a", Profile: "p", Status: StatusActive, Version: -1}, "invalid break-glass event: break-glass event x has negative version -1"},
	} {
		err := Kind.Validate(tt.e)
		if !errors.Is(err, ErrInvalid) || !errors.Is(err, record.ErrInvalid) || err.Error() != tt.want {
			t.Errorf("Validate = %v, want %q matching both ErrInvalid values", err, tt.want)
		}
	}
}
