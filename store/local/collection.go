package local

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// collection describes how one kind of item (requests, break-glass events)
// is laid out in the file: a bucket of JSON values keyed by ID, and
// secondary indexes that are rewritten with the item in the same
// transaction.
type collection[T any] struct {
	// what names the kind in error messages.
	what     string
	items    []byte
	indexes  []index[T]
	id       func(*T) string
	sortTime func(*T) time.Time
	// notFound is the kind's ErrNotFound.
	notFound error
	// decode, when set, replaces plain JSON decoding, so that a kind can
	// check what it reads back.
	decode func(raw []byte) (*T, error)
}

// index is one secondary index: its bucket and the field it is keyed by.
type index[T any] struct {
	bucket []byte
	value  func(*T) string
}

// get loads and decodes the item with the given ID; a missing item returns
// the collection's notFound error.
func (c *collection[T]) get(tx *bolt.Tx, id string) (*T, error) {
	if id == "" {
		return nil, fmt.Errorf("%w: empty id", c.notFound)
	}
	raw := tx.Bucket(c.items).Get([]byte(id))
	if raw == nil {
		return nil, fmt.Errorf("%w: %s", c.notFound, id)
	}
	if c.decode != nil {
		item, err := c.decode(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: decode %s %s: %v", ErrCorrupt, c.what, id, err)
		}
		return item, nil
	}
	item := new(T)
	if err := json.Unmarshal(raw, item); err != nil {
		return nil, fmt.Errorf("%w: decode %s %s: %v", ErrCorrupt, c.what, id, err)
	}
	return item, nil
}

// exists reports whether an item with the given ID is stored.
func (c *collection[T]) exists(tx *bolt.Tx, id string) bool {
	return tx.Bucket(c.items).Get([]byte(id)) != nil
}

// put writes item and its index entries. old is the copy being replaced
// (nil for a new item); its index entries are removed first, so an index
// follows every change of the field it is keyed by.
func (c *collection[T]) put(tx *bolt.Tx, old, item *T) error {
	if old != nil {
		for _, ix := range c.indexes {
			key := indexKey(ix.value(old), c.sortTime(old), c.id(old))
			if err := tx.Bucket(ix.bucket).Delete(key); err != nil {
				return fmt.Errorf("remove %s index entry: %w", ix.bucket, err)
			}
		}
	}
	raw, err := json.Marshal(item)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", c.what, c.id(item), err)
	}
	if err := tx.Bucket(c.items).Put([]byte(c.id(item)), raw); err != nil {
		return fmt.Errorf("write %s %s: %w", c.what, c.id(item), err)
	}
	for _, ix := range c.indexes {
		key := indexKey(ix.value(item), c.sortTime(item), c.id(item))
		// The index value is the item's ID so that a reader of the raw
		// file can follow an entry without decoding the key.
		if err := tx.Bucket(ix.bucket).Put(key, []byte(c.id(item))); err != nil {
			return fmt.Errorf("write %s index entry: %w", ix.bucket, err)
		}
	}
	return nil
}

// remove deletes item and its index entries.
func (c *collection[T]) remove(tx *bolt.Tx, item *T) error {
	for _, ix := range c.indexes {
		key := indexKey(ix.value(item), c.sortTime(item), c.id(item))
		if err := tx.Bucket(ix.bucket).Delete(key); err != nil {
			return fmt.Errorf("remove %s index entry: %w", ix.bucket, err)
		}
	}
	if err := tx.Bucket(c.items).Delete([]byte(c.id(item))); err != nil {
		return fmt.Errorf("remove %s %s: %w", c.what, c.id(item), err)
	}
	return nil
}

// list walks the index ix from the newest entry for value, loads each item,
// keeps those that keep accepts, and stops after limit (0: no limit).
func (c *collection[T]) list(tx *bolt.Tx, ix index[T], value string, keep func(*T) bool, limit int) ([]*T, error) {
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
		if !keep(item) {
			continue
		}
		out = append(out, item)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}
