package dynamodb

import (
	"testing"
	"time"
)

func TestNewDefaults(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	s, err := New(t.Context(), Options{Credentials: testCredentials})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"region", s.client.Options().Region, DefaultRegion},
		{"requests table", s.requestsTable, DefaultRequestsTable},
		{"break-glass table", s.breakglassTable, DefaultBreakglassTable},
		{"sessions table", s.sessionsTable, DefaultSessionsTable},
		{"timeout", s.timeout, DefaultTimeout},
		{"retention", s.retention, DefaultAuditRetention},
		{"retry attempts", s.client.Options().RetryMaxAttempts, 3},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	if DefaultAuditRetention < 30*24*time.Hour {
		t.Errorf("DefaultAuditRetention %s is too short to be an audit retention", DefaultAuditRetention)
	}
}

func TestNewHonoursOptions(t *testing.T) {
	s, err := New(t.Context(), Options{Region: "eu-west-1", RequestsTable: "r", BreakglassTable: "b", Timeout: time.Second, AuditRetention: time.Hour, Credentials: testCredentials})
	if err != nil {
		t.Fatal(err)
	}
	if s.client.Options().Region != "eu-west-1" || s.requestsTable != "r" || s.breakglassTable != "b" || s.timeout != time.Second || s.retention != time.Hour {
		t.Errorf("options not applied: region %s, tables %s/%s, timeout %s, retention %s",
			s.client.Options().Region, s.requestsTable, s.breakglassTable, s.timeout, s.retention)
	}
}

func TestNewRefusesOneTableForBoth(t *testing.T) {
	if _, err := New(t.Context(), Options{RequestsTable: "same", BreakglassTable: "same", Credentials: testCredentials}); err == nil {
		t.Fatal("New accepted the same table for requests and break-glass events")
	}
}

func TestNewRefusesSessionsInAnotherTable(t *testing.T) {
	for _, o := range []Options{
		{RequestsTable: "same", SessionsTable: "same", Credentials: testCredentials},
		{BreakglassTable: "same", SessionsTable: "same", Credentials: testCredentials},
		{SessionsTable: DefaultRequestsTable, Credentials: testCredentials},
	} {
		if _, err := New(t.Context(), o); err == nil {
			t.Errorf("New accepted sessions table %q beside requests %q and break-glass %q", o.SessionsTable, o.RequestsTable, o.BreakglassTable)
		}
	}
}
