package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// forgedZoneinfo writes a zoneinfo.zip, as ZONEINFO may name one, whose
// zone name is a fixed offset of offset seconds east of UTC.
func forgedZoneinfo(t *testing.T, name string, offset int32) string {
	t.Helper()
	// A TZif version 1 file: no transitions, one local time type.
	var tzif bytes.Buffer
	tzif.WriteString("TZif")
	tzif.Write(make([]byte, 16))                   // version 0 (v1) and 15 unused bytes
	for _, n := range []uint32{0, 0, 0, 0, 1, 4} { // isut, isstd, leap, time, type, char counts
		_ = binary.Write(&tzif, binary.BigEndian, n)
	}
	_ = binary.Write(&tzif, binary.BigEndian, offset)
	tzif.Write([]byte{0, 0}) // isdst, abbreviation index
	tzif.WriteString("FRG\x00")

	path := filepath.Join(t.TempDir(), "zoneinfo.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(tzif.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// A person who points ZONEINFO at a forged zone database cannot move the
// policy's time windows: zones come only from the database built into the
// binary, and the log records the offset each decision used.
func TestForgedZoneinfoDoesNotMoveTimeWindows(t *testing.T) {
	const zone = "Asia/Kolkata" // +05:30 all year: no daylight-saving change mid-test
	kolkata := time.FixedZone("IST", 5*3600+1800)
	now := time.Now().In(kolkata)
	window := func(from, to time.Duration) string {
		return fmt.Sprintf(`{hours: {start: %q, end: %q}, timezone: %s}`, now.Add(from).Format("15:04"), now.Add(to).Format("15:04"), zone)
	}
	w := newWorld(t)
	// dev is open now and closed twelve hours from now; staging the other
	// way round. The forged zone is twelve hours ahead of the real one.
	w.setPolicy(`version: "1"
accounts: ["111122223333"]
rules:
  - {name: dev-now, effect: allow, conditions: {profiles: [dev], time: ` + window(-time.Hour, 2*time.Hour) + `}}
  - {name: staging-later, effect: allow, conditions: {profiles: [staging], time: ` + window(11*time.Hour, 13*time.Hour) + `}}
`)
	alice := w.newPerson("alice")
	forged := forgedZoneinfo(t, zone, 5*3600+1800+12*3600)
	for _, env := range []map[string]string{nil, {"ZONEINFO": forged}} {
		t.Run(fmt.Sprintf("ZONEINFO=%s", env["ZONEINFO"]), func(t *testing.T) {
			if r := alice.runEnv(env, "credentials", "dev"); r.code != 0 {
				t.Fatalf("dev, open in %s now: %s", zone, r)
			}
			if d := alice.lastDecision(); d["effect"] != "allow" || d["rule"] != "dev-now" || d["utc_offset"] != "+05:30" {
				t.Errorf("decision %v, want an allow by dev-now at +05:30", d)
			}
			if r := alice.runEnv(env, "credentials", "staging"); r.code == 0 {
				t.Fatalf("staging, closed in %s now, was allowed: %s", zone, r)
			}
			if d := alice.lastDecision(); d["effect"] != "deny" || d["utc_offset"] != "+05:30" {
				t.Errorf("decision %v, want a deny that read the window at +05:30", d)
			}
		})
	}
}
