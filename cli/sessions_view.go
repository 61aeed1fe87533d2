package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/vault"
)

// sessionView is how a session is shown, in tables and as JSON: the
// stored record with its status as of now.
type sessionView struct {
	ID             string         `json:"id"`
	Status         session.Status `json:"status"`
	User           string         `json:"user"`
	UserARN        string         `json:"user_arn"`
	Account        string         `json:"account"`
	Profile        string         `json:"profile"`
	RoleARN        string         `json:"role_arn,omitempty"`
	Host           string         `json:"host,omitempty"`
	PID            int            `json:"pid,omitempty"`
	StartedAt      time.Time      `json:"started_at"`
	LastAccessAt   time.Time      `json:"last_access_at"`
	RequestCount   int64          `json:"request_count"`
	ExpiresAt      time.Time      `json:"expires_at"`
	SourceIdentity string         `json:"source_identity,omitempty"`
	RevokedBy      string         `json:"revoked_by,omitempty"`
	RevokedByARN   string         `json:"revoked_by_arn,omitempty"`
	RevokeReason   string         `json:"revoke_reason,omitempty"`
	RevokedAt      *time.Time     `json:"revoked_at,omitempty"`
}

func viewSession(s *session.Session, now time.Time) sessionView {
	v := sessionView{
		ID: s.ID, Status: s.EffectiveStatus(now), User: s.User, UserARN: s.UserARN, Account: s.Account,
		Profile: s.Profile, RoleARN: s.RoleARN, Host: s.Host, PID: s.PID,
		StartedAt: s.StartedAt.UTC(), LastAccessAt: s.LastAccessAt.UTC(), RequestCount: s.RequestCount, ExpiresAt: s.ExpiresAt.UTC(),
		SourceIdentity: s.SourceIdentity, RevokedBy: s.RevokedBy, RevokedByARN: s.RevokedByARN, RevokeReason: s.RevokeReason,
	}
	if !s.RevokedAt.IsZero() {
		r := s.RevokedAt.UTC()
		v.RevokedAt = &r
	}
	return v
}

// The text shown here was validated by the session package when the store
// read it back (no control characters), so it is printed as it is.

// shownSession is a session as it is being shown.
type shownSession = shown[*session.Session, sessionView]

// sessionRecords declares how sessions are listed and shown.
var sessionRecords = &recordKind[*session.Session, session.Query, sessionView]{
	statuses:   []string{"active", "revoked", "expired"},
	statusHelp: "Only sessions with this status now.",
	setStatus:  func(q *session.Query, s string) { q.Status = session.Status(s) },
	filters: []filterFlag[session.Query]{
		{"user", "Only sessions of this user (a name, or an ARN matched ignoring case).", func(q *session.Query, v string) {
			if strings.HasPrefix(v, "arn:") {
				q.UserARN = v
			} else {
				q.User = v
			}
		}},
		{"profile", "Only sessions for this profile.", func(q *session.Query, v string) { q.Profile = v }},
	},
	idHelp:  "Session ID.",
	list:    Operations.ListSessions,
	get:     Operations.GetSession,
	refused: func(err error) error { return sessionsError(err, checkSessionIDHint) },
	view:    viewSession,
	columns: []column[*session.Session, sessionView]{
		{"ID", func(s shownSession) string { return s.v.ID }},
		{"STATUS", func(s shownSession) string { return string(s.v.Status) }},
		{"USER", func(s shownSession) string { return s.v.User }},
		{"ACCOUNT", func(s shownSession) string { return s.v.Account }},
		{"PROFILE", func(s shownSession) string { return s.v.Profile }},
		{"HOST", func(s shownSession) string { return orDash(s.v.Host) }},
		{"STARTED", func(s shownSession) string { return timeOrDash(s.v.StartedAt) }},
		{"LAST ACCESS", func(s shownSession) string { return relativeTime(s.v.LastAccessAt, s.now) }},
		{"REQUESTS", func(s shownSession) string { return strconv.FormatInt(s.v.RequestCount, 10) }},
		{"ENDS", func(s shownSession) string { return endsCell(s.v.ExpiresAt, s.now) }},
	},
	detail: writeSessionDetail,
}

func writeSessionDetail(w io.Writer, s shownSession) {
	v, now := s.v, s.now
	fmt.Fprintf(w, "ID:              %s\n", v.ID)
	fmt.Fprintf(w, "Status:          %s\n", v.Status)
	fmt.Fprintf(w, "User:            %s (%s, account %s)\n", v.User, v.UserARN, v.Account)
	fmt.Fprintf(w, "Profile:         %s\n", v.Profile)
	fmt.Fprintf(w, "Role:            %s\n", orDash(v.RoleARN))
	if v.PID != 0 {
		fmt.Fprintf(w, "Host:            %s (pid %d)\n", orDash(v.Host), v.PID)
	} else {
		fmt.Fprintf(w, "Host:            %s\n", orDash(v.Host))
	}
	fmt.Fprintf(w, "Source identity: %s\n", orDash(v.SourceIdentity))
	fmt.Fprintf(w, "Started:         %s\n", timeOrDash(v.StartedAt))
	fmt.Fprintf(w, "Last access:     %s\n", timeOrDash(v.LastAccessAt))
	fmt.Fprintf(w, "Requests:        %d\n", v.RequestCount)
	fmt.Fprintf(w, "Ends:            %s\n", endsDetail(v.ExpiresAt, now, v.Status == session.StatusActive))
	if v.RevokedAt != nil {
		fmt.Fprintf(w, "Revoked:         %s by %s (%s, account %s): %s\n", timeOrDash(*v.RevokedAt),
			v.RevokedBy, v.RevokedByARN, accountOf(v.RevokedByARN), v.RevokeReason)
	}
}

// accountOf is the account ID in a principal ARN, "-" when there is none.
func accountOf(arn string) string {
	id, err := vault.ParseIdentity(arn, "", "")
	if err != nil {
		return "-"
	}
	return id.Account
}

// checkSessionIDHint is the hint for a session ID that names no session.
const checkSessionIDHint = "check the ID: `sentinel sessions list --status active` lists active sessions"

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// sessionsError adds what a person can do next to an error of a sessions
// command; notFound is the hint for an error matching session.ErrNotFound.
func sessionsError(err error, notFound string) error {
	switch {
	case errors.Is(err, broker.ErrForbidden):
		return withHint(err, "approvers are named in the approvals: section of the policy file")
	case errors.Is(err, session.ErrTransition):
		return withHint(err, "it has ended already: `sentinel sessions show ID` says how")
	case errors.Is(err, session.ErrNotFound):
		return withHint(err, notFound)
	case errors.Is(err, session.ErrInvalid):
		return withHint(err, "see `sentinel sessions --help`")
	}
	return err
}
