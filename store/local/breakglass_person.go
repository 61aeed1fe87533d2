package local

import (
	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/breakglass"
)

// The break-glass lock, cooldown and daily limit belong to a person
// (breakglass.Event.PersonKey), never to a name: a role's sessions share
// them whatever their session names, and a role session that calls itself
// alice neither holds alice's lock nor spends her quota. The invoker index
// is keyed by name, so it cannot find a person's events; personHistory
// walks the events instead. Break-glass is rare, so the walk is short, and
// it needs no index that files written by older versions lack.

// personHistory returns every stored event of the person with key who.
func personHistory(tx *bolt.Tx, who string) ([]*breakglass.Event, error) {
	var out []*breakglass.Event
	err := tx.Bucket(bucketEvents).ForEach(func(k, _ []byte) error {
		e, err := events.get(tx, string(k))
		if err != nil {
			return err
		}
		if e.PersonKey() == who {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// personLockKey is the locks-bucket key of e's person and limit key.
func personLockKey(e *breakglass.Event) []byte {
	return lockKey(e.PersonKey(), e.LimitKey())
}

// legacyLockKey is where versions that keyed locks by invoker name kept
// e's lock; releasing an event opened by one of them deletes it there.
func legacyLockKey(e *breakglass.Event) []byte {
	return lockKey(e.Invoker, e.LimitKey())
}
