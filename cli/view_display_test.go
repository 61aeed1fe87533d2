package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/request"
)

// TestViewsEscapeStoredText writes records whose text fields hold what the
// input checks refuse (as a record written straight into a store could) and
// checks that no view prints an escape sequence, a line break or a
// bidirectional override from them.
func TestViewsEscapeStoredText(t *testing.T) {
	const evil = "ok\x1b[2J\r\nApproved by: admin\u202Eexe.\u200B"
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	r := &request.Request{
		ID: "0123456789abcdef", Requester: evil, RequesterARN: evil, Profile: evil, Justification: evil,
		Status: request.StatusPending, Duration: time.Hour, Required: 1, CreatedAt: now, ExpiresAt: now.Add(time.Hour),
		Reviews: []request.Review{{User: evil, Action: request.ActionDeny, Comment: evil, At: now}},
	}
	e := &breakglass.Event{
		ID: "0123456789abcdef", Invoker: evil, InvokerARN: evil, Profile: evil, ReasonCode: breakglass.ReasonCode(evil),
		Justification: evil, Status: breakglass.StatusClosed, OpenedAt: now, ExpiresAt: now.Add(time.Hour),
		Duration: time.Hour, ClosedAt: now.Add(time.Minute), ClosedBy: evil, CloseReason: evil,
	}
	var out bytes.Buffer
	requestRecords.detail(&out, requestRecords.shown(r, now))
	breakglassRecords.detail(&out, breakglassRecords.shown(e, now))
	if err := requestRecords.writeTable(&out, []*request.Request{r}, now); err != nil {
		t.Fatal(err)
	}
	if err := breakglassRecords.writeTable(&out, []*breakglass.Event{e}, now); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"\x1b", "\r", "\u202E", "\u200B", "\nApproved by"} {
		if strings.Contains(out.String(), bad) {
			t.Errorf("a view printed %q from a stored record:\n%s", bad, out.String())
		}
	}
	if !strings.Contains(out.String(), `ok\u001B[2J\u000D\u000AApproved by`) {
		t.Errorf("the stored text is not shown escaped:\n%s", out.String())
	}
}
