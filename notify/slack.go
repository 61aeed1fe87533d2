package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// slackMessage is a Slack incoming-webhook payload. Link unfurling is off:
// nothing in a notification should make Slack fetch a URL.
type slackMessage struct {
	Text        string `json:"text"`
	UnfurlLinks bool   `json:"unfurl_links"`
	UnfurlMedia bool   `json:"unfurl_media"`
}

// SlackEscape makes text written by a person safe inside a Slack message:
// &, < and > become &amp;, &lt; and &gt; (Slack's own escaping, so that no
// <URL|label> link or <@U123>/<!channel> mention can be forged), and every
// control or format character (newlines included) becomes a space, so
// that a justification cannot start a line that looks like sentinel's.
func SlackEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == unicode.ReplacementChar, unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == '\u2028', r == '\u2029':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// slackBody is the Slack payload for ev: who, what, why, for how long,
// and the command that acts on it.
func slackBody(ev Event) ([]byte, error) {
	e := SlackEscape
	who := "*" + e(ev.Subject) + "*"
	if ev.SubjectAccount != "" {
		who += " (account " + e(ev.SubjectAccount) + ")"
	}
	what := "profile *" + e(ev.Profile) + "*"
	if ev.RoleARN != "" {
		what += " (role `" + e(ev.RoleARN) + "`)"
	}
	long := humanDuration(time.Duration(ev.DurationSeconds) * time.Second)
	id := e(ev.ID)
	var lines []string
	switch ev.Event {
	case EventRequestCreated:
		lines = append(lines, fmt.Sprintf("%s requests access to %s for %s.", who, what, long))
		lines = append(lines, "Why: "+e(ev.Justification))
		if ev.Required > 0 {
			lines = append(lines, fmt.Sprintf("Needs %d approval(s)%s.", ev.Required, before(ev.ExpiresAt)))
		}
		lines = append(lines, fmt.Sprintf("Approve: `sentinel approve %s`   Deny: `sentinel deny %s`", id, id))
	case EventRequestApproved:
		if ev.Status == "approved" {
			lines = append(lines, fmt.Sprintf("*%s* approved request %s: %s may use %s for %s%s.", e(ev.Actor), id, who, what, long, until(ev.ExpiresAt)))
		} else {
			lines = append(lines, fmt.Sprintf("*%s* approved request %s by %s for %s (%d of %d approvals).", e(ev.Actor), id, who, what, ev.Approvals, ev.Required))
		}
	case EventRequestDenied:
		lines = append(lines, fmt.Sprintf("*%s* denied request %s by %s for %s.", e(ev.Actor), id, who, what))
	case EventRequestCancelled:
		lines = append(lines, fmt.Sprintf("%s cancelled request %s for %s.", who, id, what))
	case EventBreakglassOpened:
		lines = append(lines, fmt.Sprintf(":rotating_light: %s broke the glass on %s for %s%s (reason code %s).", who, what, long, until(ev.ExpiresAt), e(ev.ReasonCode)))
		lines = append(lines, "Why: "+e(ev.Justification))
		lines = append(lines, fmt.Sprintf("Close it: `sentinel breakglass-close %s`", id))
	case EventBreakglassClosed:
		lines = append(lines, fmt.Sprintf("*%s* closed break-glass %s of %s on %s.", e(ev.Actor), id, who, what))
	case EventSessionRevoked:
		lines = append(lines, fmt.Sprintf("*%s* revoked session %s of %s on %s.", e(ev.Actor), id, who, what))
	default:
		lines = append(lines, fmt.Sprintf("%s: %s on %s.", e(ev.Event), id, what))
	}
	if ev.Comment != "" && ev.Event != EventRequestCreated && ev.Event != EventBreakglassOpened {
		lines = append(lines, "Comment: "+e(ev.Comment))
	}
	return json.Marshal(slackMessage{Text: strings.Join(lines, "\n")})
}

func until(t *time.Time) string {
	if t == nil {
		return ""
	}
	return ", until " + t.UTC().Format("2006-01-02 15:04 MST")
}

func before(t *time.Time) string {
	if t == nil {
		return ""
	}
	return " before " + t.UTC().Format("2006-01-02 15:04 MST")
}

// humanDuration says 1h, 1h30m, 45m.
func humanDuration(d time.Duration) string {
	if d <= 0 {
		return "an unstated time"
	}
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%dm", h, m)
}
