package cli

import (
	"bytes"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

func renderRecordViews(t *testing.T, out *bytes.Buffer, now time.Time, reqs []*request.Request, events []*breakglass.Event, sessions []*session.Session) {
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(writeRequestTable(out, reqs, now))
	for _, r := range reqs {
		writeRequestDetail(out, r, now)
		must(writeJSON(out, viewRequest(r, now)))
	}
	must(writeBreakglassTable(out, events, now))
	for _, e := range events {
		writeBreakglassDetail(out, e, now)
		must(writeJSON(out, viewBreakglass(e, now)))
	}
	must(writeSessionTable(out, sessions, now))
	for _, s := range sessions {
		writeSessionDetail(out, s, now)
		must(writeJSON(out, viewSession(s, now)))
	}
}
