package policy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadZone(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ok     bool
		winter int // offset on 2026-01-15, seconds east
	}{
		{"UTC", true, 0},
		{"Europe/Berlin", true, 3600},
		{"America/New_York", true, -5 * 3600},
		{"Asia/Kolkata", true, 5*3600 + 1800},
		{"Local", false, 0},
		{"", false, 0},
		{"/etc/localtime", false, 0},
		{"../../etc/passwd", false, 0},
		{"Europe/Atlantis", false, 0},
		{"europe/berlin", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc, err := loadZone(tc.name)
			if (err == nil) != tc.ok {
				t.Fatalf("loadZone(%q) = %v, %v", tc.name, loc, err)
			}
			if !tc.ok {
				return
			}
			_, off := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC).In(loc).Zone()
			if off != tc.winter {
				t.Errorf("offset %d, want %d", off, tc.winter)
			}
		})
	}
}

// The embedded database is the toolchain's, the one time/tzdata is
// generated from: when the toolchain brings newer zones, this fails until
// `go generate ./policy` copies them.
func TestEmbeddedZonesMatchTheToolchain(t *testing.T) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("go env GOROOT: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "lib", "time", "zoneinfo.zip"))
	if os.IsNotExist(err) {
		t.Skip("the toolchain has no lib/time/zoneinfo.zip")
	}
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != zoneinfoZip {
		t.Fatal("policy/zoneinfo.zip differs from the toolchain's: run `go generate ./policy`")
	}
}

func TestDecisionRecordsTheUTCOffsetItRead(t *testing.T) {
	const y = `version: "1"
accounts: ["111122223333"]
rules:
  - name: office
    effect: allow
    conditions:
      profiles: [dev]
      time: {hours: {start: "09:00", end: "18:00"}, timezone: Asia/Kolkata}
  - name: dev-otherwise
    effect: require_approval
    conditions: {profiles: [dev]}
  - name: ops
    effect: allow
    conditions: {profiles: [ops]}
`
	p, err := Parse([]byte(y), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const ist = 5*3600 + 1800
	arn := "arn:aws:iam::111122223333:user/alice"
	for _, tc := range []struct {
		name    string
		profile string
		at      time.Time
		rule    string
		has     bool
	}{
		{"inside the window", "dev", time.Date(2026, 1, 15, 6, 0, 0, 0, time.UTC), "office", true},
		{"outside: the next rule decides, the window was read", "dev", time.Date(2026, 1, 15, 20, 0, 0, 0, time.UTC), "dev-otherwise", true},
		{"no window read", "ops", time.Date(2026, 1, 15, 20, 0, 0, 0, time.UTC), "ops", false},
		{"no rule matched", "prod", time.Date(2026, 1, 15, 20, 0, 0, 0, time.UTC), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Request{User: "alice", ARN: arn, Profile: tc.profile, Mode: ModeCLI, Time: tc.at}
			for _, d := range []Decision{p.Evaluate(r), p.Explain(r)} {
				if d.Rule != tc.rule || d.HasUTCOffset != tc.has || (tc.has && d.UTCOffset != ist) {
					t.Errorf("decision %+v, want rule %q with offset %t", d, tc.rule, tc.has)
				}
			}
		})
	}
}
