package local

import (
	"bytes"
	"encoding/binary"
	"math"
	"time"
)

// Bucket names. They are part of the file format: renaming one orphans the
// data already stored under it.
var (
	bucketMeta                = []byte("meta")
	bucketRequests            = []byte("requests")
	bucketRequestsByRequester = []byte("requests_by_requester")
	bucketRequestsByProfile   = []byte("requests_by_profile")
	bucketRequestsByStatus    = []byte("requests_by_status")
	bucketEvents              = []byte("events")
	bucketEventsByInvoker     = []byte("events_by_invoker")
	bucketEventsByProfile     = []byte("events_by_profile")
	bucketEventsByStatus      = []byte("events_by_status")
	bucketLocks               = []byte("locks")
	bucketSessions            = []byte("sessions")
	bucketSessionsByUser      = []byte("sessions_by_user")
	bucketSessionsByUserARN   = []byte("sessions_by_user_arn")
	bucketSessionsByProfile   = []byte("sessions_by_profile")
	bucketSessionsByStatus    = []byte("sessions_by_status")
	bucketBlocks              = []byte("blocks")

	allBuckets = [][]byte{
		bucketMeta,
		bucketRequests, bucketRequestsByRequester, bucketRequestsByProfile, bucketRequestsByStatus,
		bucketEvents, bucketEventsByInvoker, bucketEventsByProfile, bucketEventsByStatus,
		bucketLocks,
		bucketSessions, bucketSessionsByUser, bucketSessionsByUserARN, bucketSessionsByProfile, bucketSessionsByStatus,
		bucketBlocks,
		bucketRevocations, bucketRevocationsByStatus, bucketRevocationsByTarget, bucketRevocationState,
	}
)

// keyPart encodes one string as a key component: its length as a uvarint,
// then its bytes. Length-prefixing makes keys unambiguous whatever the names
// contain (a '#' or a NUL byte cannot make "a"+"b#c" collide with "a#b"+"c"),
// and it makes keyPart(x) a prefix of exactly the keys that start with x.
func keyPart(s string) []byte {
	b := binary.AppendUvarint(nil, uint64(len(s)))
	return append(b, s...)
}

// lockKey is the locks-bucket key of one invoker and limit key (the
// event's role, or its profile when it has none).
func lockKey(invoker, limitKey string) []byte {
	return append(keyPart(invoker), keyPart(limitKey)...)
}

// indexKey is a secondary-index key: the indexed value, then the item's time
// inverted so that newer items sort first, then the item's ID (which breaks
// ties and names the item).
func indexKey(value string, at time.Time, id string) []byte {
	k := keyPart(value)
	k = append(k, newestFirst(at)...)
	return append(k, id...)
}

// timeKeyLen is the length of newestFirst's output.
const timeKeyLen = 12

// newestFirst encodes t in 12 bytes that sort in reverse time order: seconds
// (with the sign bit flipped, so negative values sort first) and then
// nanoseconds, both inverted. Seconds rather than UnixNano keep every
// time.Time representable, even the zero time.
func newestFirst(t time.Time) []byte {
	var b [timeKeyLen]byte
	sec := uint64(t.Unix()) ^ (1 << 63)
	binary.BigEndian.PutUint64(b[:8], math.MaxUint64-sec)
	binary.BigEndian.PutUint32(b[8:], math.MaxUint32-uint32(t.Nanosecond()))
	return b[:]
}

// idFromIndexKey returns the item ID at the end of an index key whose value
// part is prefix, or false if the key is too short to hold one.
func idFromIndexKey(key, prefix []byte) (string, bool) {
	if !bytes.HasPrefix(key, prefix) || len(key) <= len(prefix)+timeKeyLen {
		return "", false
	}
	return string(key[len(prefix)+timeKeyLen:]), true
}
