package dynamodb

import (
	"math"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

// attr is one attribute of a kind's item: its name, how to write it from a
// record and how to read it back. A kind's codec is a table of them that
// both directions read, so that an attribute can never be written under one
// name and read under another. A derived attribute (an index key) has no
// get: it is written from other fields and never read back.
type attr[T any] struct {
	name string
	put  func(it item, r *T)
	get  func(rd *itemReader, r *T)
}

// codec is a kind's attribute table.
type codec[T any] []attr[T]

// encode writes every attribute of r into a new item. Empty strings, zero
// times and false flags are left out (see item).
func (c codec[T]) encode(r *T) item {
	it := item{}
	for _, a := range c {
		a.put(it, r)
	}
	return it
}

// decode reads a record out of m. A wrong type or an unparsable value is an
// error naming the first attribute at fault.
func (c codec[T]) decode(m map[string]types.AttributeValue) (*T, error) {
	rd := &itemReader{item: m}
	r := new(T)
	for _, a := range c {
		if a.get != nil {
			a.get(rd, r)
		}
	}
	if rd.err != nil {
		return nil, rd.err
	}
	return r, nil
}

// text is a string attribute (or one of a string type: statuses, codes).
func text[T any, V ~string](name string, p func(*T) *V) attr[T] {
	return attr[T]{
		name: name,
		put:  func(it item, r *T) { it.setString(name, string(*p(r))) },
		get:  func(rd *itemReader, r *T) { *p(r) = V(rd.string(name)) },
	}
}

// instant is a time attribute, in timeLayout.
func instant[T any](name string, p func(*T) *time.Time) attr[T] {
	return attr[T]{
		name: name,
		put:  func(it item, r *T) { it.setTime(name, *p(r)) },
		get:  func(rd *itemReader, r *T) { *p(r) = rd.time(name) },
	}
}

// whole is a number attribute of a 64-bit type: counts, versions and
// durations (whole nanoseconds, so that they round-trip exactly).
func whole[T any, V ~int64](name string, p func(*T) *V) attr[T] {
	return attr[T]{
		name: name,
		put:  func(it item, r *T) { it.setInt(name, int64(*p(r))) },
		get:  func(rd *itemReader, r *T) { *p(r) = V(rd.int(name)) },
	}
}

// small is a number attribute held in an int (a quorum, a process ID): it
// must read back as 0..MaxInt32, whatever the item says.
func small[T any](name string, p func(*T) *int) attr[T] {
	return attr[T]{
		name: name,
		put:  func(it item, r *T) { it.setInt(name, int64(*p(r))) },
		get: func(rd *itemReader, r *T) {
			n := rd.int(name)
			if n < 0 || n > math.MaxInt32 {
				rd.fail(name, "%d out of range", n)
				return
			}
			*p(r) = int(n)
		},
	}
}

// boolean is a boolean attribute, stored only when true.
func boolean[T any](name string, p func(*T) *bool) attr[T] {
	return attr[T]{
		name: name,
		put:  func(it item, r *T) { it.setBool(name, *p(r)) },
		get:  func(rd *itemReader, r *T) { *p(r) = rd.bool(name) },
	}
}

// key is a derived string attribute: an index key written from other
// fields and never read back.
func key[T any](name string, f func(*T) string) attr[T] {
	return attr[T]{name: name, put: func(it item, r *T) { it.setString(name, f(r)) }}
}

// listOf is a list attribute whose elements are maps encoded by elem; an
// empty list is left out and reads back as nil.
func listOf[T, E any](name string, p func(*T) *[]E, elem codec[E]) attr[T] {
	return attr[T]{
		name: name,
		put: func(it item, r *T) {
			l := *p(r)
			if len(l) == 0 {
				return
			}
			out := make([]types.AttributeValue, len(l))
			for i := range l {
				out[i] = &types.AttributeValueMemberM{Value: elem.encode(&l[i])}
			}
			it[name] = &types.AttributeValueMemberL{Value: out}
		},
		get: func(rd *itemReader, r *T) {
			var l []E
			for i, v := range rd.list(name) {
				m, ok := v.(*types.AttributeValueMemberM)
				if !ok {
					rd.fail(name, "element %d: want a map, got %T", i, v)
					return
				}
				erd := &itemReader{item: m.Value}
				var e E
				for _, a := range elem {
					if a.get != nil {
						a.get(erd, &e)
					}
				}
				if erd.err != nil {
					rd.fail(name, "element %d: %v", i, erd.err)
					return
				}
				l = append(l, e)
			}
			*p(r) = l
		},
	}
}

// requestCodec is the item of a request in the requests table.
var requestCodec = codec[request.Request]{
	text(attrID, func(r *request.Request) *string { return &r.ID }),
	key(attrIDPrefix, func(r *request.Request) string { return record.IDPrefixKey(r.ID) }),
	text(attrRequester, func(r *request.Request) *string { return &r.Requester }),
	text(attrRequesterARN, func(r *request.Request) *string { return &r.RequesterARN }),
	text(attrProfile, func(r *request.Request) *string { return &r.Profile }),
	text(attrRoleARN, func(r *request.Request) *string { return &r.RoleARN }),
	text(attrJustification, func(r *request.Request) *string { return &r.Justification }),
	whole(attrDurationNS, func(r *request.Request) *time.Duration { return &r.Duration }),
	text(attrStatus, func(r *request.Request) *request.Status { return &r.Status }),
	small(attrRequired, func(r *request.Request) *int { return &r.Required }),
	boolean(attrAutoApproved, func(r *request.Request) *bool { return &r.AutoApproved }),
	instant(attrCreatedAt, func(r *request.Request) *time.Time { return &r.CreatedAt }),
	instant(attrUpdatedAt, func(r *request.Request) *time.Time { return &r.UpdatedAt }),
	instant(attrDecidedAt, func(r *request.Request) *time.Time { return &r.DecidedAt }),
	instant(attrExpiresAt, func(r *request.Request) *time.Time { return &r.ExpiresAt }),
	key(attrCreatedKey, func(r *request.Request) string { return sortKey(r.CreatedAt, r.ID) }),
	text(attrRevokedBy, func(r *request.Request) *string { return &r.RevokedBy }),
	text(attrRevokedByARN, func(r *request.Request) *string { return &r.RevokedByARN }),
	text(attrRevokeReason, func(r *request.Request) *string { return &r.RevokeReason }),
	instant(attrRevokedAt, func(r *request.Request) *time.Time { return &r.RevokedAt }),
	listOf(attrReviews, func(r *request.Request) *[]request.Review { return &r.Reviews }, codec[request.Review]{
		text(attrReviewUser, func(v *request.Review) *string { return &v.User }),
		text(attrReviewARN, func(v *request.Review) *string { return &v.ARN }),
		text(attrReviewAction, func(v *request.Review) *request.Action { return &v.Action }),
		text(attrReviewComment, func(v *request.Review) *string { return &v.Comment }),
		instant(attrReviewAt, func(v *request.Review) *time.Time { return &v.At }),
	}),
	whole(attrVersion, func(r *request.Request) *int64 { return &r.Version }),
}

// eventCodec is the item of a break-glass event in the break-glass table.
var eventCodec = codec[breakglass.Event]{
	text(attrID, func(e *breakglass.Event) *string { return &e.ID }),
	text(attrInvoker, func(e *breakglass.Event) *string { return &e.Invoker }),
	text(attrInvokerARN, func(e *breakglass.Event) *string { return &e.InvokerARN }),
	text(attrProfile, func(e *breakglass.Event) *string { return &e.Profile }),
	text(attrRoleARN, func(e *breakglass.Event) *string { return &e.RoleARN }),
	text(attrReasonCode, func(e *breakglass.Event) *breakglass.ReasonCode { return &e.ReasonCode }),
	text(attrJustification, func(e *breakglass.Event) *string { return &e.Justification }),
	whole(attrDurationNS, func(e *breakglass.Event) *time.Duration { return &e.Duration }),
	text(attrStatus, func(e *breakglass.Event) *breakglass.Status { return &e.Status }),
	instant(attrOpenedAt, func(e *breakglass.Event) *time.Time { return &e.OpenedAt }),
	instant(attrExpiresAt, func(e *breakglass.Event) *time.Time { return &e.ExpiresAt }),
	instant(attrClosedAt, func(e *breakglass.Event) *time.Time { return &e.ClosedAt }),
	text(attrClosedBy, func(e *breakglass.Event) *string { return &e.ClosedBy }),
	text(attrCloseReason, func(e *breakglass.Event) *string { return &e.CloseReason }),
	key(attrOpenedKey, func(e *breakglass.Event) string { return sortKey(e.OpenedAt, e.ID) }),
	whole(attrVersion, func(e *breakglass.Event) *int64 { return &e.Version }),
}

// sessionCodec is the item of a session in the sessions table. Times are
// fixed-width strings, so the conditions of Touch compare them as strings.
var sessionCodec = codec[session.Session]{
	text(attrID, func(s *session.Session) *string { return &s.ID }),
	text(attrUser, func(s *session.Session) *string { return &s.User }),
	text(attrUserARN, func(s *session.Session) *string { return &s.UserARN }),
	key(attrUserARNKey, func(s *session.Session) string { return session.FoldARN(s.UserARN) }),
	text(attrAccount, func(s *session.Session) *string { return &s.Account }),
	text(attrProfile, func(s *session.Session) *string { return &s.Profile }),
	text(attrRoleARN, func(s *session.Session) *string { return &s.RoleARN }),
	text(attrHost, func(s *session.Session) *string { return &s.Host }),
	small(attrPID, func(s *session.Session) *int { return &s.PID }),
	text(attrStatus, func(s *session.Session) *session.Status { return &s.Status }),
	instant(attrStartedAt, func(s *session.Session) *time.Time { return &s.StartedAt }),
	instant(attrLastAccessAt, func(s *session.Session) *time.Time { return &s.LastAccessAt }),
	whole(attrRequestCount, func(s *session.Session) *int64 { return &s.RequestCount }),
	instant(attrExpiresAt, func(s *session.Session) *time.Time { return &s.ExpiresAt }),
	text(attrSourceIdentity, func(s *session.Session) *string { return &s.SourceIdentity }),
	text(attrRevokedBy, func(s *session.Session) *string { return &s.RevokedBy }),
	text(attrRevokedByARN, func(s *session.Session) *string { return &s.RevokedByARN }),
	text(attrRevokeReason, func(s *session.Session) *string { return &s.RevokeReason }),
	instant(attrRevokedAt, func(s *session.Session) *time.Time { return &s.RevokedAt }),
	key(attrStartedKey, func(s *session.Session) string { return sortKey(s.StartedAt, s.ID) }),
	whole(attrVersion, func(s *session.Session) *int64 { return &s.Version }),
}

// blockCodec is the block item of a person in the sessions table; its ID
// is derived from the blocked ARN (see blockID), and none of its
// attributes keys an index, so no listing ever sees a block.
var blockCodec = codec[session.Block]{
	key(attrID, func(b *session.Block) string { return blockID(b.UserARN) }),
	text(attrBlockUserARN, func(b *session.Block) *string { return &b.UserARN }),
	instant(attrBlockUntil, func(b *session.Block) *time.Time { return &b.Until }),
	text(attrBlockBy, func(b *session.Block) *string { return &b.By }),
	text(attrBlockByARN, func(b *session.Block) *string { return &b.ByARN }),
	text(attrBlockReason, func(b *session.Block) *string { return &b.Reason }),
	instant(attrBlockAt, func(b *session.Block) *time.Time { return &b.At }),
	text(attrBlockLiftedBy, func(b *session.Block) *string { return &b.LiftedBy }),
	text(attrBlockLiftedARN, func(b *session.Block) *string { return &b.LiftedByARN }),
	instant(attrBlockLiftedAt, func(b *session.Block) *time.Time { return &b.LiftedAt }),
}
