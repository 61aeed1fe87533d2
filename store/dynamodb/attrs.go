package dynamodb

import (
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// timeLayout writes times in UTC with all nine fractional digits, so that
// the strings have a fixed width and sort in time order, and round-trip to
// the nanosecond.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// formatTime renders t in timeLayout.
func formatTime(t time.Time) string {
	return t.UTC().Format(timeLayout)
}

// sortKey is an index sort key: the time, then the ID to break ties.
func sortKey(t time.Time, id string) string {
	return formatTime(t) + "#" + id
}

// item builds a DynamoDB item attribute by attribute. Empty strings and
// zero times are left out, so that they come back as empty and zero, and so
// that an empty value never reaches an index key (DynamoDB refuses those).
type item map[string]types.AttributeValue

// setString stores s unless it is empty.
func (it item) setString(name, s string) {
	if s != "" {
		it[name] = &types.AttributeValueMemberS{Value: s}
	}
}

// setTime stores t unless it is the zero time.
func (it item) setTime(name string, t time.Time) {
	if !t.IsZero() {
		it[name] = &types.AttributeValueMemberS{Value: formatTime(t)}
	}
}

// setInt stores n as a DynamoDB number.
func (it item) setInt(name string, n int64) {
	it[name] = &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// setBool stores b only when it is true.
func (it item) setBool(name string, b bool) {
	if b {
		it[name] = &types.AttributeValueMemberBOOL{Value: true}
	}
}

// itemReader reads typed attributes out of an item. It remembers the first
// problem (a wrong type or an unparsable value) so that decoders can read
// every field and check once.
type itemReader struct {
	item map[string]types.AttributeValue
	err  error
}

// fail records the first problem.
func (r *itemReader) fail(name string, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("attribute %s: %s", name, fmt.Sprintf(format, args...))
	}
}

// string returns a string attribute, or "" if it is absent.
func (r *itemReader) string(name string) string {
	v, ok := r.item[name]
	if !ok {
		return ""
	}
	s, ok := v.(*types.AttributeValueMemberS)
	if !ok {
		r.fail(name, "want a string, got %T", v)
		return ""
	}
	return s.Value
}

// time returns a time attribute in UTC, or the zero time if it is absent.
func (r *itemReader) time(name string) time.Time {
	s := r.string(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		r.fail(name, "not a time: %v", err)
		return time.Time{}
	}
	return t.UTC()
}

// int returns a whole-number attribute, or 0 if it is absent.
func (r *itemReader) int(name string) int64 {
	v, ok := r.item[name]
	if !ok {
		return 0
	}
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		r.fail(name, "want a number, got %T", v)
		return 0
	}
	i, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		r.fail(name, "not a whole number: %v", err)
		return 0
	}
	return i
}

// bool returns a boolean attribute, or false if it is absent.
func (r *itemReader) bool(name string) bool {
	v, ok := r.item[name]
	if !ok {
		return false
	}
	b, ok := v.(*types.AttributeValueMemberBOOL)
	if !ok {
		r.fail(name, "want a boolean, got %T", v)
		return false
	}
	return b.Value
}

// list returns a list attribute's elements, or nil if it is absent.
func (r *itemReader) list(name string) []types.AttributeValue {
	v, ok := r.item[name]
	if !ok {
		return nil
	}
	l, ok := v.(*types.AttributeValueMemberL)
	if !ok {
		r.fail(name, "want a list, got %T", v)
		return nil
	}
	return l.Value
}

// ttlFor is the time-to-live value for an item whose business life ends at
// end: end plus the audit retention, in unix seconds rounded up, so that
// DynamoDB never deletes the item before end + retention.
func ttlFor(end time.Time, retention time.Duration) int64 {
	t := end.Add(retention)
	secs := t.Unix()
	if t.Nanosecond() > 0 {
		secs++
	}
	return secs
}

// latest returns the latest of the given times.
func latest(ts ...time.Time) time.Time {
	var max time.Time
	for _, t := range ts {
		if t.After(max) {
			max = t
		}
	}
	return max
}
