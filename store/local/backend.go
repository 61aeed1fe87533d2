package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/record"
)

// collection is one kind's place in the file, built from its record.Kind:
// a bucket of JSON values keyed by ID, and one bucket per index, rewritten
// with the item in the same transaction. It is the kind's whole
// declaration in this engine; backend does the rest once for every kind.
type collection[T any, S ~string] struct {
	kind    *record.Kind[T, S]
	items   []byte
	indexes []index[T]
	// inserting, when set, runs in the transaction of every Insert before
	// the write: a check that must see the same state the write commits to
	// (the block of a new session's person).
	inserting func(tx *bolt.Tx, r *T) error
	// replacing, when set, runs in the transaction of every Replace after
	// the version check and before the write: bookkeeping that must commit
	// with the change (a break-glass event that leaves active releases its
	// lock).
	replacing func(tx *bolt.Tx, old, r *T) error
}

// index is one secondary index: its name in the kind's declaration, its
// bucket and the value it is keyed by.
type index[T any] struct {
	name   string
	bucket []byte
	value  func(*T) string
}

// newCollection lays kind k out in bucket items, with each of its indexes
// in the bucket buckets names for it. The bucket names are part of the
// file format.
func newCollection[T any, S ~string](k *record.Kind[T, S], items []byte, buckets map[string][]byte) *collection[T, S] {
	c := &collection[T, S]{kind: k, items: items}
	for _, ix := range k.Indexes {
		b, ok := buckets[ix.Name]
		if !ok {
			panic(fmt.Sprintf("local: no bucket for the %s index %q", k.Name, ix.Name))
		}
		c.indexes = append(c.indexes, index[T]{name: ix.Name, bucket: b, value: foldedKey(ix)})
	}
	return c
}

// foldedKey returns ix's key, lower-cased when ix ignores case (ARNs).
func foldedKey[T any](ix record.Index[T]) func(*T) string {
	if !ix.Fold {
		return ix.Key
	}
	return func(r *T) string { return strings.ToLower(ix.Key(r)) }
}

// get loads and decodes the item with the given ID.
func (c *collection[T, S]) get(tx *bolt.Tx, id string) (*T, error) {
	raw := tx.Bucket(c.items).Get([]byte(id))
	if id == "" || raw == nil {
		return nil, c.kind.Errors.Wrap(&record.NotFoundError{Kind: c.kind.Name, ID: id})
	}
	return c.decode(id, raw)
}

// decode reads a stored value. The file is writable by its owner, so what
// it holds is evidence, not authority: a record that does not validate is
// damage.
func (c *collection[T, S]) decode(id string, raw []byte) (*T, error) {
	item := new(T)
	if err := json.Unmarshal(raw, item); err != nil {
		return nil, fmt.Errorf("%w: decode %s %s: %v", ErrCorrupt, c.kind.Name, id, err)
	}
	if err := c.kind.Validate(item); err != nil {
		return nil, fmt.Errorf("%w: stored %s %s: %v", ErrCorrupt, c.kind.Name, id, err)
	}
	return item, nil
}

// exists reports whether an item with the given ID is stored.
func (c *collection[T, S]) exists(tx *bolt.Tx, id string) bool {
	return tx.Bucket(c.items).Get([]byte(id)) != nil
}

// indexKey is item's key in ix.
func (c *collection[T, S]) indexKey(ix index[T], item *T) []byte {
	return indexKey(ix.value(item), c.kind.Created(item), c.kind.ID(item))
}

// put writes item and its index entries. old is the copy being replaced
// (nil for a new item); its index entries are removed first, so an index
// follows every change of the field it is keyed by. An entry whose key
// does not change (a touch changes no indexed field) and that is in place
// is left as it is: removing and writing it again would end the same, at
// the cost of rewriting the index's pages in every commit.
func (c *collection[T, S]) put(tx *bolt.Tx, old, item *T) error {
	var keys [][]byte // item's key in each index
	if len(c.indexes) > 0 {
		keys = make([][]byte, len(c.indexes))
	}
	var same []bool // whether old has the same key in the index
	if old != nil && len(c.indexes) > 0 {
		same = make([]bool, len(c.indexes))
	}
	for i, ix := range c.indexes {
		keys[i] = c.indexKey(ix, item)
		if old == nil {
			continue
		}
		oldKey := c.indexKey(ix, old)
		if bytes.Equal(oldKey, keys[i]) {
			same[i] = bytes.Equal(tx.Bucket(ix.bucket).Get(oldKey), []byte(c.kind.ID(item)))
			continue
		}
		if err := tx.Bucket(ix.bucket).Delete(oldKey); err != nil {
			return fmt.Errorf("remove %s index entry: %w", ix.bucket, err)
		}
	}
	id := c.kind.ID(item)
	raw, err := json.Marshal(item)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", c.kind.Name, id, err)
	}
	if err := tx.Bucket(c.items).Put([]byte(id), raw); err != nil {
		return fmt.Errorf("write %s %s: %w", c.kind.Name, id, err)
	}
	for i, ix := range c.indexes {
		if same != nil && same[i] {
			continue
		}
		// The index value is the item's ID so that a reader of the raw
		// file can follow an entry without decoding the key.
		if err := tx.Bucket(ix.bucket).Put(keys[i], []byte(id)); err != nil {
			return fmt.Errorf("write %s index entry: %w", ix.bucket, err)
		}
	}
	return nil
}

// remove deletes item and its index entries.
func (c *collection[T, S]) remove(tx *bolt.Tx, item *T) error {
	for _, ix := range c.indexes {
		if err := tx.Bucket(ix.bucket).Delete(c.indexKey(ix, item)); err != nil {
			return fmt.Errorf("remove %s index entry: %w", ix.bucket, err)
		}
	}
	if err := tx.Bucket(c.items).Delete([]byte(c.kind.ID(item))); err != nil {
		return fmt.Errorf("remove %s %s: %w", c.kind.Name, c.kind.ID(item), err)
	}
	return nil
}

// list walks the index ix from the newest entry for value, loads each
// item, and stops after limit (0: no limit).
func (c *collection[T, S]) list(tx *bolt.Tx, ix index[T], value string, limit int) ([]*T, error) {
	prefix := keyPart(value)
	var out []*T
	cur := tx.Bucket(ix.bucket).Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		id, ok := idFromIndexKey(k, prefix)
		if !ok {
			return nil, fmt.Errorf("%w: malformed %s index key", ErrCorrupt, ix.bucket)
		}
		item, err := c.get(tx, id)
		if err != nil {
			return nil, fmt.Errorf("%s index names %s: %w", ix.bucket, id, err)
		}
		out = append(out, item)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}

// backend is record.Backend for every kind over one Store: each operation
// is one bbolt transaction, so an item and its index entries always change
// together, and bbolt's single writer makes each check-and-write atomic.
type backend[T any, S ~string] struct {
	s *Store
	c *collection[T, S]
}

// newStore returns the generic store of c's kind over s.
func newStore[T any, S ~string](s *Store, c *collection[T, S]) *record.Generic[T, S] {
	return record.NewStore(c.kind, &backend[T, S]{s: s, c: c})
}

// Insert stores r, or returns an ErrConflict error if its ID is taken.
func (b *backend[T, S]) Insert(ctx context.Context, r *T) error {
	id := b.c.kind.ID(r)
	err := b.s.run(ctx, true, func(tx *bolt.Tx) error {
		if b.c.exists(tx, id) {
			return fmt.Errorf("%w: %s %s already exists", record.ErrConflict, b.c.kind.Name, id)
		}
		if b.c.inserting != nil {
			if err := b.c.inserting(tx, r); err != nil {
				return err
			}
		}
		return b.c.put(tx, nil, r)
	})
	if err != nil {
		return fmt.Errorf("create %s %s: %w", b.c.kind.Name, id, err)
	}
	return nil
}

// Load returns the stored item with the given ID.
func (b *backend[T, S]) Load(ctx context.Context, id string) (*T, error) {
	var r *T
	err := b.s.run(ctx, false, func(tx *bolt.Tx) error {
		var err error
		r, err = b.c.get(tx, id)
		return err
	})
	return r, err
}

// Replace writes r in place of old if the stored item still has old's
// version, in one transaction.
func (b *backend[T, S]) Replace(ctx context.Context, old, r *T) error {
	k := b.c.kind
	id := k.ID(r)
	err := b.s.run(ctx, true, func(tx *bolt.Tx) error {
		cur, err := b.c.get(tx, id)
		if err != nil {
			return err
		}
		if *k.Version(cur) != *k.Version(old) {
			return fmt.Errorf("%w: %s %s is now %s at version %d (expected version %d)",
				record.ErrConflict, k.Name, id, k.Status(cur), *k.Version(cur), *k.Version(old))
		}
		if b.c.replacing != nil {
			if err := b.c.replacing(tx, cur, r); err != nil {
				return err
			}
		}
		return b.c.put(tx, cur, r)
	})
	if err != nil {
		return fmt.Errorf("change %s %s: %w", k.Name, id, err)
	}
	return nil
}

// Scan returns the items whose value for ix is value, newest first.
func (b *backend[T, S]) Scan(ctx context.Context, ix record.Index[T], value string, limit int) ([]*T, error) {
	var local index[T]
	for _, l := range b.c.indexes {
		if l.name == ix.Name {
			local = l
		}
	}
	if local.bucket == nil {
		return nil, record.Invalidf("list %ss: no index %q", b.c.kind.Name, ix.Name)
	}
	if ix.Fold {
		value = strings.ToLower(value)
	}
	var out []*T
	err := b.s.run(ctx, false, func(tx *bolt.Tx) error {
		var err error
		out, err = b.c.list(tx, local, value, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list %ss: %w", b.c.kind.Name, err)
	}
	return out, nil
}
