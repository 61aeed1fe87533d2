package broker

import (
	"context"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/notify"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

// EventNotifyFailed is the log entry of a notification that no webhook
// (or not every one) took: the action it was about is done all the same.
const EventNotifyFailed = "notify.failed"

// sendNotification sends ev to the webhooks that want it, after the
// action and its log entry. It never fails the action: a failure is logged
// as a notify.failed entry and passed to Warnf. It runs detached from the
// caller's cancellation (a service client that hangs up does not cut the
// notification short) but within the notifier's own timeouts.
func (b *Broker) sendNotification(ctx context.Context, a *Actor, ev notify.Event) {
	if !b.Notify.Wants(ev.Event) {
		return
	}
	ev.Time = b.now()
	err := b.Notify.Send(context.WithoutCancel(ctx), ev)
	if err == nil {
		return
	}
	e := logging.Entry{
		Time: b.now(), Event: EventNotifyFailed, Actor: a.Identity.Name, ActorARN: a.Identity.ARN,
		Subject: ev.ID, Profile: ev.Profile, Reason: err.Error(), Note: ev.Event,
		PolicyPath: b.Policy.Path, PolicySHA256: b.Policy.SHA256,
	}
	if lerr := b.Log.Append(&e); lerr != nil {
		b.warnf("%v (and the log could not record it: %v)", err, lerr)
		return
	}
	b.warnf("%v", err)
}

func (b *Broker) warnf(format string, args ...any) {
	if b.Warnf != nil {
		b.Warnf(format, args...)
	}
}

// requestNotification describes a change of request r made by a.
func requestNotification(event string, a *Actor, r *request.Request, comment string) notify.Event {
	ev := notify.Event{
		Event: event, ID: r.ID, Actor: a.Identity.Name, ActorARN: a.Identity.ARN,
		Subject: r.Requester, SubjectARN: r.RequesterARN, SubjectAccount: accountOfARN(r.RequesterARN),
		Profile: r.Profile, RoleARN: r.RoleARN, Status: string(r.Status), Justification: r.Justification,
		Comment: comment, DurationSeconds: int64(r.Duration / time.Second), Required: r.Required,
		Approvals: r.Approvals(),
	}
	end := r.ExpiresAt.UTC()
	if r.Status == request.StatusApproved {
		end = r.WindowEnd().UTC()
	}
	if !end.IsZero() {
		ev.ExpiresAt = &end
	}
	return ev
}

// breakglassNotification describes a change of break-glass event e made by a.
func breakglassNotification(event string, a *Actor, e *breakglass.Event, comment string) notify.Event {
	end := e.ExpiresAt.UTC()
	return notify.Event{
		Event: event, ID: e.ID, Actor: a.Identity.Name, ActorARN: a.Identity.ARN,
		Subject: e.Invoker, SubjectARN: e.InvokerARN, SubjectAccount: accountOfARN(e.InvokerARN),
		Profile: e.Profile, RoleARN: e.RoleARN, Status: string(e.Status), Justification: e.Justification,
		ReasonCode: string(e.ReasonCode), Comment: comment, DurationSeconds: int64(e.Duration / time.Second),
		ExpiresAt: &end,
	}
}

// sessionNotification describes the revocation of session s by a.
func sessionNotification(a *Actor, s *session.Session, reason string) notify.Event {
	end := s.ExpiresAt.UTC()
	return notify.Event{
		Event: notify.EventSessionRevoked, ID: s.ID, Actor: a.Identity.Name, ActorARN: a.Identity.ARN,
		Subject: s.User, SubjectARN: s.UserARN, SubjectAccount: s.Account,
		Profile: s.Profile, RoleARN: s.RoleARN, Status: string(s.Status), Comment: reason, ExpiresAt: &end,
	}
}

// accountOfARN is the account field of an ARN ("" when there is none).
func accountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}
