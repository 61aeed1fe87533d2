package dynamodb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/record"
)

// A quota item holds, for one user, what breakglass.CheckLimits needs to
// know about their past events: every event opened in the last 24 hours or
// still active, and the latest-ending event of each limit key (for the
// cooldown). Opening an event reads it, checks the limits and writes it
// back with a version condition in the same transaction as the event and
// its lock, so two opens racing for the same user cannot both pass the
// check: one of them loses the condition, reads again and checks again.

// quotaPrefix starts the ID of every quota item, which no event ID can.
const quotaPrefix = "quota#"

// Quota item attributes, under names that key no index.
const (
	attrQuotaUser    = "quota_user"
	attrQuotaEntries = "quota_entries"
)

// quotaAttempts bounds how often an open or a close re-reads the quota
// after losing its version condition to another writer.
const quotaAttempts = 40

// quotaEntry is the part of one event the limits read.
type quotaEntry struct {
	ID      string `json:"id"`
	Invoker string `json:"invoker"`
	// InvokerARN is who opened the event; entries written before it was
	// recorded are the quota's own person's (the item is keyed by them).
	InvokerARN string    `json:"invoker_arn,omitempty"`
	Profile    string    `json:"profile"`
	RoleARN    string    `json:"role_arn,omitempty"`
	OpenedAt   time.Time `json:"opened_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	ClosedAt   time.Time `json:"closed_at,omitempty"`
}

// quota is one user's quota item as read, with the version to condition
// the write on (0: no item yet).
type quota struct {
	user    string
	entries []quotaEntry
	version int64
}

// quotaUser is whom the quota of e belongs to: its person key, so that a
// role's sessions share one quota whatever their session names. For an IAM
// user that is the lower-case user ARN, as it was before person keys, so
// their quota items carry over; an SSO user's or a role's earlier
// per-session items are no longer read (they held at most a day's events).
func quotaUser(e *breakglass.Event) string {
	return e.PersonKey()
}

// quotaID is the ID of a user's quota item: the prefix and the SHA-256 of
// the user, which keeps the key short whatever the ARN holds.
func quotaID(user string) string {
	sum := sha256.Sum256([]byte(user))
	return quotaPrefix + hex.EncodeToString(sum[:])
}

// history turns the entries into the events CheckLimits reads.
func (q *quota) history() []*breakglass.Event {
	out := make([]*breakglass.Event, 0, len(q.entries))
	for _, en := range q.entries {
		arn := en.InvokerARN
		if arn == "" {
			arn = q.user
		}
		e := &breakglass.Event{
			ID: en.ID, Invoker: en.Invoker, InvokerARN: arn, Profile: en.Profile, RoleARN: en.RoleARN,
			Status: breakglass.StatusActive, OpenedAt: en.OpenedAt, ExpiresAt: en.ExpiresAt,
		}
		if !en.ClosedAt.IsZero() {
			e.Status, e.ClosedAt = breakglass.StatusClosed, en.ClosedAt
		}
		out = append(out, e)
	}
	return out
}

// record adds e, or replaces the entry with e's ID.
func (q *quota) record(e *breakglass.Event) {
	en := quotaEntry{
		ID: e.ID, Invoker: e.Invoker, InvokerARN: e.InvokerARN, Profile: e.Profile, RoleARN: e.RoleARN,
		OpenedAt: e.OpenedAt.UTC(), ExpiresAt: e.ExpiresAt.UTC(),
	}
	if e.Status == breakglass.StatusClosed {
		en.ClosedAt = e.ClosedAt.UTC()
	}
	for i := range q.entries {
		if q.entries[i].ID == e.ID {
			q.entries[i] = en
			return
		}
	}
	q.entries = append(q.entries, en)
}

// prune drops the entries no limit can need at now: those opened more than
// 24 hours ago that are no longer active and are not the latest-ending
// entry of their limit key.
func (q *quota) prune(now time.Time) {
	events := q.history()
	lastEnd := map[string]time.Time{}
	for _, e := range events {
		if end, ok := e.EndedAt(now); ok {
			k := strings.ToLower(e.LimitKey())
			if end.After(lastEnd[k]) {
				lastEnd[k] = end
			}
		}
	}
	kept := q.entries[:0]
	for i, e := range events {
		end, ended := e.EndedAt(now)
		recent := e.OpenedAt.After(now.Add(-24 * time.Hour))
		if !ended || recent || end.Equal(lastEnd[strings.ToLower(e.LimitKey())]) {
			kept = append(kept, q.entries[i])
		}
	}
	q.entries = kept
}

// readQuota reads the quota item of e's person with a strongly consistent
// read. A missing item is an empty quota; one that does not decode is an
// error, so that a damaged item never lifts a limit.
func (es *eventsOnBackend) readQuota(ctx context.Context, e *breakglass.Event) (*quota, error) {
	s := es.b.s
	q := &quota{user: quotaUser(e)}
	it, err := s.getItem(ctx, s.breakglassTable, quotaID(q.user))
	if err != nil {
		return nil, err
	}
	if len(it) == 0 {
		return q, nil
	}
	rd := &itemReader{item: it}
	raw := rd.string(attrQuotaEntries)
	q.version = rd.int(attrVersion)
	if rd.err == nil && raw != "" {
		if err := json.Unmarshal([]byte(raw), &q.entries); err != nil {
			rd.fail(attrQuotaEntries, "%v", err)
		}
	}
	if rd.err != nil || q.version < 1 {
		return nil, breakglass.Kind.Errors.Wrap(record.Invalidf("break-glass quota item of %s is damaged (%v)", q.user, rd.err))
	}
	return q, nil
}

// put is the conditional write of q as version q.version+1: it succeeds
// only if the stored item is still the one read.
func (q *quota) put(table string, retention time.Duration) (*types.Put, error) {
	raw, err := json.Marshal(q.entries)
	if err != nil {
		return nil, fmt.Errorf("encode break-glass quota: %w", err)
	}
	var end time.Time
	for _, en := range q.entries {
		end = latest(end, en.ExpiresAt, en.ClosedAt)
	}
	it := item{}
	it.setString(attrID, quotaID(q.user))
	it.setString(attrQuotaUser, q.user)
	it.setString(attrQuotaEntries, string(raw))
	it.setInt(attrVersion, q.version+1)
	it.setInt(attrTTL, ttlFor(end.Add(24*time.Hour), retention))
	put := &types.Put{TableName: aws.String(table), Item: it}
	if q.version == 0 {
		put.ConditionExpression = aws.String("attribute_not_exists(#id)")
		put.ExpressionAttributeNames = map[string]string{"#id": attrID}
	} else {
		put.ConditionExpression = aws.String("#v = :v")
		put.ExpressionAttributeNames = map[string]string{"#v": attrVersion}
		v := item{}
		v.setInt(":v", q.version)
		put.ExpressionAttributeValues = v
	}
	return put, nil
}

// quotaBackoff waits a little, more with each attempt and with a random
// spread so that racing writers stop colliding, or until ctx ends.
func quotaBackoff(ctx context.Context, attempt int) error {
	var b [2]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	base := time.Duration(min(attempt+1, 10)) * 5 * time.Millisecond
	wait := base + time.Duration(binary.BigEndian.Uint16(b[:]))%base
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(wait):
		return nil
	}
}
