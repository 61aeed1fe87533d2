package cli

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/vault"
)

type listCommand struct {
	Output string
}

// listedProfile is one row of `sentinel list`.
type listedProfile struct {
	Profile  string         `json:"profile"`
	InConfig bool           `json:"in_config"`
	HasKeys  bool           `json:"has_keys"`
	RoleARN  string         `json:"role_arn,omitempty"`
	Sessions []listedCached `json:"sessions"`
}

type listedCached struct {
	Kind      string    `json:"kind"`
	User      string    `json:"user,omitempty"`
	Basis     string    `json:"basis,omitempty"`
	RoleARN   string    `json:"role_arn,omitempty"`
	MFA       bool      `json:"mfa"`
	ExpiresAt time.Time `json:"expires_at"`
	Remaining string    `json:"remaining"`
}

func configureListCommand(app *kingpin.Application, g *Globals) {
	c := &listCommand{}
	cmd := app.Command("list", "List profiles, whether keys are stored, and cached sessions with their remaining time.").Alias("ls")
	outputFlag(cmd, &c.Output)
	cmd.Action(g.action(c.run))
}

func (c *listCommand) run(ctx context.Context, g *Globals) error {
	profiles, kr, err := g.profilesAndKeyring()
	if err != nil {
		return err
	}
	stored, err := vault.NewKeyStore(kr).Profiles()
	if err != nil {
		return fmt.Errorf("list keyring: %w", err)
	}
	cached, err := vault.NewCache(kr, nil).Entries()
	if err != nil {
		return fmt.Errorf("list cached sessions: %w", err)
	}
	rows := map[string]*listedProfile{}
	row := func(name string) *listedProfile {
		if rows[name] == nil {
			rows[name] = &listedProfile{Profile: name, Sessions: []listedCached{}}
		}
		return rows[name]
	}
	for _, name := range profiles.ProfileNames() {
		p, _ := profiles.Profile(name)
		r := row(name)
		r.InConfig, r.RoleARN = true, p.RoleARN
	}
	for _, name := range stored {
		row(name).HasKeys = true
	}
	now := time.Now()
	for _, e := range cached {
		r := row(e.Profile)
		r.Sessions = append(r.Sessions, listedCached{Kind: e.Kind, User: e.User, Basis: e.Basis, RoleARN: e.RoleARN, MFA: e.MFA, ExpiresAt: e.Expires.UTC(), Remaining: remaining(e.Expires, now)})
	}
	list := make([]*listedProfile, 0, len(rows))
	for _, n := range slices.Sorted(maps.Keys(rows)) {
		list = append(list, rows[n])
	}
	if c.Output == "json" {
		return writeJSON(g.Stdout, list)
	}
	if info, ok := vault.DescribeKeyring(kr); ok {
		fmt.Fprintf(g.Stdout, "Keyring: %s (%s)\n\n", info.Backend, info.Location)
	}
	noteNoKeychain(g.Stderr, vault.KeychainMissing(), kr)
	t := newTable(g.Stdout)
	fmt.Fprintln(t, "PROFILE\tKEYS\tROLE\tCACHED SESSIONS")
	for _, r := range list {
		keys := "-"
		if r.HasKeys {
			keys = "stored"
		}
		var sessions []string
		for _, s := range r.Sessions {
			label := s.Kind
			if s.Basis != "" {
				label += " " + s.Basis
			}
			if s.MFA {
				label += " (mfa)"
			}
			sessions = append(sessions, label+": "+s.Remaining)
		}
		if len(sessions) == 0 {
			sessions = []string{"-"}
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\n", r.Profile, keys, orDash(r.RoleARN), strings.Join(sessions, ", "))
	}
	return t.Flush()
}
