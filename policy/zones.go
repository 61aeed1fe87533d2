package policy

import (
	_ "embed"
	"errors"
	"time"
)

// The zone database is refreshed from the toolchain with `go generate
// ./policy`; TestEmbeddedZonesMatchTheToolchain says when it is due.
//go:generate sh -c "cp \"$(go env GOROOT)/lib/time/zoneinfo.zip\" zoneinfo.zip && chmod 0644 zoneinfo.zip"

// zoneinfoZip is the IANA time zone database, as the Go toolchain ships it
// (GOROOT/lib/time/zoneinfo.zip, the file time/tzdata is generated from):
// an uncompressed zip of TZif files.
//
// It is embedded, and it is the only place a policy's zones come from.
// time.LoadLocation would look first in the directory or zip that ZONEINFO
// names and then in the system's zone directories, and only then in
// time/tzdata: whoever sets the environment of a sentinel process could
// then move a policy's time windows (a forged Europe/Berlin twelve hours
// off opens office hours at night). time/tzdata offers no way to be asked
// directly, hence this copy.
//
//go:embed zoneinfo.zip
var zoneinfoZip string

// errNoZone means the embedded database has no zone of that name.
var errNoZone = errors.New("no such zone in the embedded time zone database")

// loadZone returns the zone name from the embedded database, never from
// ZONEINFO, TZ or the system's files. "UTC" is time.UTC; "Local" and
// names that are not plain IANA names are refused.
func loadZone(name string) (*time.Location, error) {
	if name == "UTC" {
		return time.UTC, nil
	}
	if name == "" || name == "Local" || name[0] == '/' || containsDotDot(name) {
		return nil, errNoZone
	}
	data, ok := zipEntry(zoneinfoZip, name)
	if !ok {
		return nil, errNoZone
	}
	return time.LoadLocationFromTZData(name, []byte(data))
}

func containsDotDot(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '.' && s[i+1] == '.' {
			return true
		}
	}
	return false
}

// zipEntry returns the contents of the stored (uncompressed) file name in
// the zip z, walking its central directory as time/tzdata does: no
// allocation beyond the result, which a policy with several windows loads
// on every credential request.
func zipEntry(z, name string) (string, bool) {
	const (
		endHeader     = 0x06054b50
		centralHeader = 0x02014b50
		localHeader   = 0x04034b50
		endSize       = 22
	)
	idx := len(z) - endSize
	if idx < 0 || le32(z[idx:]) != endHeader {
		return "", false
	}
	n := le16(z[idx+10:])
	idx = le32(z[idx+16:])
	for i := 0; i < n; i++ {
		if idx < 0 || idx+46 > len(z) || le32(z[idx:]) != centralHeader {
			return "", false
		}
		method := le16(z[idx+10:])
		size := le32(z[idx+24:])
		nameLen := le16(z[idx+28:])
		extraLen := le16(z[idx+30:])
		commentLen := le16(z[idx+32:])
		off := le32(z[idx+42:])
		if idx+46+nameLen > len(z) {
			return "", false
		}
		entry := z[idx+46 : idx+46+nameLen]
		idx += 46 + nameLen + extraLen + commentLen
		if entry != name {
			continue
		}
		if method != 0 || off < 0 || off+30 > len(z) || le32(z[off:]) != localHeader || le16(z[off+26:]) != nameLen {
			return "", false
		}
		start := off + 30 + nameLen + le16(z[off+28:])
		if start+size > len(z) {
			return "", false
		}
		return z[start : start+size], true
	}
	return "", false
}

func le32(s string) int {
	if len(s) < 4 {
		return -1
	}
	return int(s[0]) | int(s[1])<<8 | int(s[2])<<16 | int(s[3])<<24
}

func le16(s string) int {
	if len(s) < 2 {
		return 0
	}
	return int(s[0]) | int(s[1])<<8
}
