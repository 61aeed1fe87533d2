package teamclient

import (
	"errors"
	"net/http"
	"testing"

	"github.com/sentinel-cli/sentinel/request"
)

// RevokeRequest posts the reason to /v1/requests/{id}/revoke and returns
// the revoked request; a 409 matches request.ErrTransition, which the
// cli words with a hint.
func TestRevokeRequest(t *testing.T) {
	f := newFakeService(t, "")
	revoked := testRequest(testID)
	revoked.Status = request.StatusRevoked
	f.answer("POST /v1/requests/"+testID+"/revoke", http.StatusOK, revoked)
	c := f.client(t, nil)
	r, err := c.RevokeRequest(ctxT(t), testID, "the fix is out")
	must(t, err)
	if r.Status != request.StatusRevoked {
		t.Fatalf("request %+v", r)
	}
	checkCalls(t, f, []struct{ method, path, query, body string }{
		{"GET", "/v1/info", "", ""},
		{"POST", "/v1/requests/" + testID + "/revoke", "", `{"reason":"the fix is out"}`},
	})

	f = newFakeService(t, "")
	f.answer("POST /v1/requests/"+testID+"/revoke", http.StatusConflict, map[string]string{"code": "Conflict", "message": "cannot revoke request " + testID + ": it is pending"})
	c = f.client(t, nil)
	if _, err := c.RevokeRequest(ctxT(t), testID, "x"); !errors.Is(err, request.ErrTransition) {
		t.Fatalf("a 409 read as %v, want request.ErrTransition", err)
	}
}
