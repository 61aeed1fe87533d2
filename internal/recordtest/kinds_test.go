package recordtest_test

import (
	"testing"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/internal/recordtest"
	"github.com/sentinel-cli/sentinel/request"
)

// TestKindValidateNamesTheKindOnce: a damaged stored request or event is
// refused by its Kind.Validate with an error matching both ErrInvalid
// values, in the kind's words once.
func TestKindValidateNamesTheKindOnce(t *testing.T) {
	recordtest.RefusesDamaged(t, request.Kind.Validate, request.ErrInvalid, []recordtest.Damaged[request.Request]{
		{R: nil, Want: "invalid request: no request"},
		{R: &request.Request{ID: "x"}, Want: "invalid request: request x needs an id, a requester and a profile"},
		{R: &request.Request{ID: "x", Requester: "a", Profile: "p", Status: "odd"}, Want: `invalid request: request x has unknown status "odd"`},
		{R: &request.Request{ID: "x", Requester: "a", Profile: "p", Status: request.StatusPending, Version: -1}, Want: "invalid request: request x has negative version -1"},
	})
	recordtest.RefusesDamaged(t, breakglass.Kind.Validate, breakglass.ErrInvalid, []recordtest.Damaged[breakglass.Event]{
		{R: nil, Want: "invalid break-glass event: no break-glass event"},
		{R: &breakglass.Event{ID: "x"}, Want: "invalid break-glass event: break-glass event x needs an id, an invoker and a profile"},
		{R: &breakglass.Event{ID: "x", Invoker: "a", Profile: "p", Status: "odd"}, Want: `invalid break-glass event: break-glass event x has unknown status "odd"`},
		{R: &breakglass.Event{ID: "x", Invoker: "a", Profile: "p", Status: breakglass.StatusActive, Version: -1}, Want: "invalid break-glass event: break-glass event x has negative version -1"},
	})
}
