package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/byteness/keyring"
	"golang.org/x/term"

	"github.com/sentinel-cli/sentinel/config"
	"github.com/sentinel-cli/sentinel/internal/safefile"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/store/dynamodb"
	"github.com/sentinel-cli/sentinel/store/local"
	"github.com/sentinel-cli/sentinel/vault"
)

// doctorTimeout bounds each check that crosses the network (STS, the
// store, the team service), so that doctor answers quickly when offline.
const doctorTimeout = 5 * time.Second

// maxClockSkew is how far the local clock may drift from AWS's before
// signed requests are refused (SigV4 allows 5 minutes).
const maxClockSkew = 5 * time.Minute

// doctorCheck is one line of `sentinel doctor`.
type doctorCheck struct {
	Name string `json:"check"`
	// Status is ok, fail or skipped.
	Status string `json:"status"`
	// Detail says what was found.
	Detail string `json:"detail"`
	// Fix says what to do about a failure; "" when there is nothing to do.
	Fix string `json:"fix,omitempty"`
}

// Statuses of a doctorCheck.
const (
	checkOK      = "ok"
	checkFail    = "fail"
	checkSkipped = "skipped"
)

type doctorCommand struct {
	Output string
	// now is the local clock; tests may replace it.
	now func() time.Time
}

func configureDoctorCommand(app *kingpin.Application, g *Globals) {
	c := &doctorCommand{now: time.Now}
	cmd := app.Command("doctor", "Check the config, policy, keyring, cache, decision log, store and STS (reachability and clock), one line each. "+
		"Exit status: 0 when every check passes, 1 when one fails.")
	outputFlag(cmd, &c.Output)
	cmd.Action(g.action(c.run))
}

func (c *doctorCommand) run(ctx context.Context, g *Globals) error {
	checks := c.checks(ctx, g)
	failed := 0
	for _, ch := range checks {
		if ch.Status == checkFail {
			failed++
		}
	}
	if c.Output == "json" {
		if err := writeJSON(g.Stdout, checks); err != nil {
			return err
		}
	} else {
		col := g.colours()
		t := newTable(g.Stdout)
		for _, ch := range checks {
			status := map[string]string{checkOK: col.green("OK"), checkFail: col.red("FAIL"), checkSkipped: col.yellow("SKIP")}[ch.Status]
			line := ch.Detail
			if ch.Fix != "" {
				line += "; fix: " + ch.Fix
			}
			fmt.Fprintf(t, "%s\t%s\t%s\n", status, ch.Name, oneLine(line))
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	if failed > 0 {
		if c.Output != "json" {
			fmt.Fprintf(g.Stderr, "sentinel: %d of %d checks failed\n", failed, len(checks))
		}
		return &ExitError{Code: 1, Silent: true}
	}
	return nil
}

// checks runs every check in order. A check that cannot run because an
// earlier one failed says so rather than failing again.
func (c *doctorCommand) checks(ctx context.Context, g *Globals) []doctorCheck {
	var out []doctorCheck
	cfgCheck, cfg := c.checkConfig(g)
	out = append(out, cfgCheck)
	if cfg == nil {
		// Everything else depends on the config.
		return append(out, doctorCheck{Name: "the rest", Status: checkSkipped, Detail: "needs a readable config"})
	}
	team := cfg.Server.Configured()
	out = append(out, c.checkPolicy(g, cfg, team))
	krCheck, kr := c.checkKeyring(g)
	out = append(out, krCheck)
	out = append(out, c.checkCache(g, kr))
	out = append(out, c.checkLog(g, cfg))
	out = append(out, c.checkStore(ctx, g, cfg, team))
	out = append(out, c.checkSTS(ctx))
	return out
}

func fail(name string, err error, fix string) doctorCheck {
	if fix == "" {
		fix = unsafeFileHint(err)
	}
	if fix == "" {
		fix = hintFor(err)
	}
	var ee *ExitError
	if fix == "" && errors.As(err, &ee) {
		fix = ee.Hint
	}
	return doctorCheck{Name: name, Status: checkFail, Detail: messageFor(err), Fix: fix}
}

func (c *doctorCommand) checkConfig(g *Globals) (doctorCheck, *config.Config) {
	path := g.ConfigFile
	if path == "" {
		path = config.DefaultPath()
	}
	cfg, err := g.Config()
	if err != nil {
		return fail("config", err, ""), nil
	}
	if cfg.Path() == "" {
		return doctorCheck{Name: "config", Status: checkOK, Detail: path + " does not exist: the defaults are in use"}, cfg
	}
	mode := "team service " + cfg.Server.URL
	if !cfg.Server.Configured() {
		mode = "local broker, store " + cfg.Store.Backend
	}
	return doctorCheck{Name: "config", Status: checkOK, Detail: path + ": " + mode}, cfg
}

func (c *doctorCommand) checkPolicy(g *Globals, cfg *config.Config, team bool) doctorCheck {
	path := cfg.PolicyPath(g.PolicyFile)
	p, err := readPolicy(path)
	var le *policy.LoadError
	switch {
	case errors.Is(err, fs.ErrNotExist) && team:
		return doctorCheck{Name: "policy", Status: checkOK, Detail: "no local policy; the team service's policy decides"}
	case errors.Is(err, fs.ErrNotExist):
		return fail("policy", fmt.Errorf("no policy at %s: sentinel issues no credentials without one", path),
			"write one (`sentinel policy init --write` makes a starter from ~/.aws/config), or name it with --policy, $SENTINEL_POLICY or policy: in the config")
	case errors.As(err, &le):
		lines := le.Lines()
		return fail("policy", fmt.Errorf("%s: %d problem(s), first: %s", path, len(lines), lines[0]), "see every problem with `sentinel policy validate "+path+"`")
	case err != nil:
		return fail("policy", err, "")
	}
	detail := fmt.Sprintf("%s: %s (sha256 %s…)", path, p.Summary(), p.SHA256[:8])
	if n := len(p.Warnings()); n > 0 {
		detail += fmt.Sprintf(", %d warning(s): see sentinel policy validate", n)
	}
	if n := len(p.Tests()); n > 0 {
		failed := 0
		for _, r := range p.RunTests(c.now()) {
			if !r.Passed() {
				failed++
			}
		}
		if failed > 0 {
			return doctorCheck{Name: "policy", Status: checkFail, Detail: fmt.Sprintf("%s; %d of %d tests fail", detail, failed, n),
				Fix: "see them with `sentinel policy test " + path + "`"}
		}
		detail += fmt.Sprintf(", %d tests pass", n)
	}
	return doctorCheck{Name: "policy", Status: checkOK, Detail: detail}
}

// keyringBackendName says which backend the keyring uses: the pinned one,
// else the first the system offers (the one keyring.Open picks).
func (g *Globals) keyringBackendName() string {
	if b := cmp.Or(g.KeyringBackend, vault.KeyringConfigFromEnv().Backend); b != "" {
		return b + " (pinned)"
	}
	if av := keyring.AvailableBackends(); len(av) > 0 {
		return string(av[0]) + " (the system's first)"
	}
	return "none available"
}

func (c *doctorCommand) checkKeyring(g *Globals) (doctorCheck, keyring.Keyring) {
	backend := g.keyringBackendName()
	kr, err := g.openKeyring()
	if err != nil {
		return fail("keyring", err, "pin a backend that works here with --backend or $SENTINEL_BACKEND"), nil
	}
	names, err := vault.NewKeyStore(kr).Profiles()
	if err != nil {
		return fail("keyring", fmt.Errorf("backend %s: list: %w", backend, err), ""), nil
	}
	detail := fmt.Sprintf("backend %s: keys stored for %d profile(s)", backend, len(names))
	if len(names) > 0 {
		detail += " (" + strings.Join(names, ", ") + ")"
	}
	return doctorCheck{Name: "keyring", Status: checkOK, Detail: detail}, kr
}

// checkCache reads the cached sessions, which decrypts them: with the
// file backend that needs the passphrase, asked for only on a terminal.
func (c *doctorCommand) checkCache(g *Globals, kr keyring.Keyring) doctorCheck {
	if kr == nil {
		return doctorCheck{Name: "cache", Status: checkSkipped, Detail: "needs the keyring"}
	}
	if !g.keyringOpensSilently() && !term.IsTerminal(int(os.Stdin.Fd())) {
		return doctorCheck{Name: "cache", Status: checkSkipped, Detail: "reading it needs the file keyring's passphrase: set SENTINEL_FILE_PASSPHRASE or run doctor on a terminal"}
	}
	entries, err := vault.NewCache(kr, nil).Entries()
	if err != nil {
		return fail("cache", err, "")
	}
	now := c.now()
	live := 0
	for _, e := range entries {
		if e.Expires.After(now) {
			live++
		}
	}
	return doctorCheck{Name: "cache", Status: checkOK, Detail: fmt.Sprintf("%d cached session(s), %d still valid", len(entries), live)}
}

func (c *doctorCommand) checkLog(g *Globals, cfg *config.Config) doctorCheck {
	path := cfg.LogPath(g.LogFile)
	if err := safefile.Check(path); err != nil {
		return fail("log", err, "")
	}
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return doctorCheck{Name: "log", Status: checkOK, Detail: path + " does not exist yet: it is created by the first decision"}
	}
	rep, err := logging.VerifyFile(path)
	var ce *logging.ChainError
	switch {
	case errors.As(err, &ce):
		return fail("log", fmt.Errorf("%s: chain broken at %w (%d entries verify before it)", path, ce, rep.Entries),
			"keep the file as evidence, look at the line with `sentinel log verify "+shellQuote(path)+"`, then move it aside so that a new chain starts")
	case err != nil:
		return fail("log", err, "")
	}
	return doctorCheck{Name: "log", Status: checkOK, Detail: fmt.Sprintf("%s: chain of %d entries verifies, head %s", path, rep.Entries, shortHash(rep.LastHash))}
}

func shortHash(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}

func (c *doctorCommand) checkStore(ctx context.Context, g *Globals, cfg *config.Config, team bool) doctorCheck {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	if team {
		client, err := g.teamClient("")
		if err != nil {
			return fail("service", err, "")
		}
		id, err := client.Whoami(ctx)
		if err != nil {
			return fail("service", err, "")
		}
		return doctorCheck{Name: "service", Status: checkOK, Detail: fmt.Sprintf("%s answers; it knows you as %s", cfg.Server.URL, id.ARN)}
	}
	if cfg.Store.Backend == config.BackendDynamoDB {
		return c.checkDynamoDB(ctx, g, cfg)
	}
	path := cfg.Store.Path
	if err := safefile.Check(path); err != nil {
		return fail("store", err, "")
	}
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return doctorCheck{Name: "store", Status: checkOK, Detail: "local " + path + " does not exist yet: it is created on first use"}
	}
	st, err := local.Open(path, local.Options{LockTimeout: 2 * time.Second, PerOperation: true})
	if errors.Is(err, local.ErrBusy) {
		return doctorCheck{Name: "store", Status: checkOK, Detail: "local " + path + " is in use by another sentinel process (a server?)"}
	}
	if err != nil {
		return fail("store", err, "")
	}
	_ = st.Close()
	return doctorCheck{Name: "store", Status: checkOK, Detail: "local " + path + " opens"}
}

// checkDynamoDB describes the three tables (as `init tables --dry-run`
// does) with the identity profile's keys.
func (c *doctorCommand) checkDynamoDB(ctx context.Context, g *Globals, cfg *config.Config) doctorCheck {
	b, err := g.identityBroker()
	if err != nil {
		return fail("store", err, "")
	}
	a, err := b.Identify(ctx, g.identityProfile(""))
	if err != nil {
		return fail("store", fmt.Errorf("DynamoDB: identify you: %w", err), "")
	}
	st, err := newDynamoStore(ctx, cfg, b.Signer(a))
	if err != nil {
		return fail("store", err, "")
	}
	var report strings.Builder
	if err := st.InitTables(ctx, true, &report); err != nil {
		return fail("store", fmt.Errorf("DynamoDB in %s: %w", cmp.Or(cfg.Store.Region, "the default region"), err), "")
	}
	var missing []string
	// The revocation list's table matters only with --in-aws (revokers
	// in the config); without them a missing one is no fault.
	revocations := "table " + cmp.Or(cfg.Store.Tables.Revocations, dynamodb.DefaultRevocationsTable) + ":"
	for _, line := range strings.Split(strings.TrimSpace(report.String()), "\n") {
		if !cfg.RevokeInAWS.Configured() && strings.HasPrefix(line, revocations) {
			continue
		}
		if strings.Contains(line, "would") {
			missing = append(missing, line)
		}
	}
	if len(missing) > 0 {
		return fail("store", fmt.Errorf("DynamoDB: %s", strings.Join(missing, "; ")), "run `sentinel init tables`")
	}
	return doctorCheck{Name: "store", Status: checkOK, Detail: fmt.Sprintf("DynamoDB tables %s, %s, %s exist with their indexes and time to live",
		cfg.Store.Tables.Requests, cfg.Store.Tables.Breakglass, cfg.Store.Tables.Sessions)}
}

// checkSTS sends one unsigned request to STS: it answers when reachable,
// and its Date header shows how far the local clock is off.
func (c *doctorCommand) checkSTS(ctx context.Context) doctorCheck {
	env := environment()
	if env.stsErr != nil {
		return fail("sts", env.stsErr, "")
	}
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	p, err := vault.ProbeSTS(ctx, env.STS, env.Region, doctorTimeout, c.now)
	if errors.Is(err, vault.ErrNotSTS) {
		return fail("sts", err, notSTSHint)
	}
	if err != nil {
		return fail("sts", err, "check the network, and AWS_ENDPOINT_URL_STS if you set it")
	}
	skew := p.Skew()
	abs := skew
	if abs < 0 {
		abs = -abs
	}
	where := "ahead of"
	if skew < 0 {
		where = "behind"
	}
	rtt := p.Received.Sub(p.Sent).Round(time.Millisecond)
	if abs >= maxClockSkew {
		return doctorCheck{Name: "sts", Status: checkFail,
			Detail: fmt.Sprintf("%s answers in %s, but the local clock is %s %s it", p.Endpoint, rtt, humanDuration(abs), where),
			Fix:    "set the clock right (enable NTP): AWS refuses requests signed more than 5 minutes off"}
	}
	clock := "clock in step"
	if abs >= 2*time.Second {
		clock = fmt.Sprintf("clock %s %s (fine below 5m)", humanDuration(abs), where)
	}
	return doctorCheck{Name: "sts", Status: checkOK, Detail: fmt.Sprintf("%s answers in %s, %s", p.Endpoint, rtt, clock)}
}
