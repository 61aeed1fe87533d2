package cli

import (
	"cmp"
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/alecthomas/kingpin/v2"
)

// The build stamps, set by make (and the release builds) with
// -ldflags "-X github.com/sentinel-cli/sentinel/cli.Version=v1.2.3 ...".
// Empty means not stamped: `go install ...@v1.2.3` and a plain `go build`
// stamp nothing, and the version then comes from the module's build info.
var (
	// Version is the release version (git describe).
	Version = ""
	// Commit is the commit the binary was built from.
	Commit = ""
	// Date is the commit's time in seconds since the epoch
	// (SOURCE_DATE_EPOCH), not the build's, so that two builds of one
	// commit are the same bytes.
	Date = ""
)

// buildVersion is what `sentinel --version` reports.
type buildVersion struct {
	Version, Commit, Date, Go, Platform string
}

// String is the one line `sentinel --version` prints.
func (v buildVersion) String() string {
	return fmt.Sprintf("sentinel %s (commit %s, built %s, %s, %s)", v.Version, v.Commit, v.Date, v.Go, v.Platform)
}

// VersionLine is `sentinel VERSION (commit C, built DATE, goX, os/arch)`
// for this binary.
func VersionLine() string {
	info, _ := debug.ReadBuildInfo()
	return resolveVersion(Version, Commit, Date, info).String()
}

// ReleaseVersion is this binary's version alone (the team service reports
// it).
func ReleaseVersion() string {
	info, _ := debug.ReadBuildInfo()
	return resolveVersion(Version, Commit, Date, info).Version
}

// resolveVersion picks each field from the ldflags stamp, else from the
// build info the Go toolchain recorded (the module version for
// `go install module@version`, the VCS revision and time for a build in a
// checkout), else a placeholder: "devel" for the version, "unknown" for
// the commit and date.
func resolveVersion(version, commit, date string, info *debug.BuildInfo) buildVersion {
	v := buildVersion{Version: version, Commit: commit, Date: stampDate(date), Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	var revision, vcsTime string
	dirty := false
	if info != nil {
		if info.GoVersion != "" {
			v.Go = info.GoVersion
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				vcsTime = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if v.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v.Version = info.Main.Version
		}
	}
	v.Version = cmp.Or(v.Version, "devel")
	if v.Commit == "" && revision != "" {
		v.Commit = shortRevision(revision)
		if dirty {
			v.Commit += "-dirty"
		}
	}
	v.Commit = cmp.Or(v.Commit, "unknown")
	if v.Date == "" && vcsTime != "" {
		v.Date = vcsTime
	}
	v.Date = cmp.Or(v.Date, "unknown")
	return v
}

// stampDate turns a SOURCE_DATE_EPOCH stamp into an RFC 3339 UTC time; any
// other stamp is shown as it is.
func stampDate(date string) string {
	if secs, err := strconv.ParseInt(date, 10, 64); err == nil {
		return time.Unix(secs, 0).UTC().Format(time.RFC3339)
	}
	return date
}

// shortRevision is the first 12 characters of a commit hash, as git shows
// them.
func shortRevision(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

func configureVersionCommand(app *kingpin.Application, g *Globals) {
	app.Command("version", "Print the sentinel version.").Action(func(*kingpin.ParseContext) error {
		fmt.Fprintln(g.Stdout, VersionLine())
		return nil
	})
}
