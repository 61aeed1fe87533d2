package broker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
)

func TestUseIsLoggedAndConsoleCredentialsAreFresh(t *testing.T) {
	f := newFixture(t, basePolicy)
	if _, err := f.issue("dev", time.Hour); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		use        broker.Use
		note       string
		wantCached bool
	}{
		{broker.UseExport, "exported", true},
		{broker.UseConsole, "console sign-in", false},
	}
	for _, tt := range tests {
		before := len(f.sts.CallsOf("AssumeRole"))
		g, err := f.broker().Issue(context.Background(), broker.Input{Profile: "dev", Mode: policy.ModeCLI, Duration: time.Hour, Use: tt.use})
		if err != nil {
			t.Fatalf("%s: %v", tt.use, err)
		}
		e := f.lastDecision()
		if !strings.Contains(e.Note, tt.note) || e.Cached != tt.wantCached || g.Cached != tt.wantCached {
			t.Errorf("%s: entry %+v, grant cached %v", tt.use, e, g.Cached)
		}
		fresh := len(f.sts.CallsOf("AssumeRole")) - before
		if tt.wantCached == (fresh != 0) {
			t.Errorf("%s: %d AssumeRole calls", tt.use, fresh)
		}
	}
	// A console session is not cached: the next plain issue still gets
	// the credentials cached before.
	before := len(f.sts.CallsOf("AssumeRole"))
	if g, err := f.issue("dev", time.Hour); err != nil || !g.Cached || len(f.sts.CallsOf("AssumeRole")) != before {
		t.Errorf("after a console sign-in: %v %v", g, err)
	}
	// A denial names the use too.
	_, err := f.broker().Issue(context.Background(), broker.Input{Profile: "prod", Mode: policy.ModeCLI, Use: broker.UseConsole})
	if err == nil || !strings.Contains(f.lastDecision().Note, "console sign-in") || f.lastDecision().Effect != "deny" {
		t.Errorf("denied console sign-in: %v %+v", err, f.lastDecision())
	}
}
