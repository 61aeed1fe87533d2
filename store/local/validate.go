package local

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
)

// bbolt's on-disk format (go.etcd.io/bbolt internal/common, v1.5): every
// page starts with a 16-byte header (id u64, flags u16, count u16,
// overflow u32); pages 0 and 1 are meta pages whose body, right after the
// header, is magic u32, version u32, page size u32, flags u32, root bucket
// (root page u64, sequence u64), freelist page u64, high-water mark u64
// (the first page id never allocated), txid u64 and an FNV-64a checksum of
// the 56 bytes before it. All in the machine's byte order.
const (
	boltPageHeader  = 16
	boltMetaSize    = 64
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	boltNoFreelist  = ^uint64(0)
	boltMinPageSize = 1024
	boltMaxPageSize = 1 << 24
)

// boltMeta is the part of a meta page checkFile reads.
type boltMeta struct {
	pageSize uint64
	root     uint64
	freelist uint64
	hwm      uint64
}

// parseMeta decodes the meta page body at the start of b, or returns an
// error if its magic, version or checksum is wrong.
func parseMeta(b []byte) (boltMeta, error) {
	if len(b) < boltPageHeader+boltMetaSize {
		return boltMeta{}, errors.New("short meta page")
	}
	m := b[boltPageHeader : boltPageHeader+boltMetaSize]
	ne := binary.NativeEndian
	h := fnv.New64a()
	h.Write(m[:56])
	switch {
	case ne.Uint32(m[0:]) != boltMagic:
		return boltMeta{}, errors.New("bad magic")
	case ne.Uint32(m[4:]) != boltVersion:
		return boltMeta{}, fmt.Errorf("format version %d", ne.Uint32(m[4:]))
	case ne.Uint64(m[56:]) != h.Sum64():
		return boltMeta{}, errors.New("bad checksum")
	}
	return boltMeta{
		pageSize: uint64(ne.Uint32(m[8:])),
		root:     ne.Uint64(m[16:]),
		freelist: ne.Uint64(m[32:]),
		hwm:      ne.Uint64(m[40:]),
	}, nil
}

// checkFile validates the store file at path before bbolt maps it: bbolt
// trusts the file, and a truncated one makes it read past the end of its
// memory map, which kills the process with SIGBUS. The file must be empty
// (bbolt initialises it), or have at least one valid meta page; the page
// size must be sane and divide the file size; and every valid meta page's
// high-water mark, root and freelist must lie inside the file. A missing
// file is fine: bbolt creates it.
func checkFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	size := uint64(info.Size())
	if size == 0 {
		return nil
	}
	corrupt := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s (%d bytes)", ErrCorrupt, fmt.Sprintf(format, args...), size)
	}
	buf := make([]byte, boltPageHeader+boltMetaSize)
	read := func(off uint64) ([]byte, error) {
		n, err := f.ReadAt(buf, int64(off))
		if err != nil && !(errors.Is(err, io.EOF) && n == len(buf)) {
			if errors.Is(err, io.EOF) {
				return nil, nil
			}
			return nil, err
		}
		return append([]byte(nil), buf...), nil
	}
	first, err := read(0)
	if err != nil {
		return err
	}
	if first == nil {
		return corrupt("too short to be a store")
	}
	m0, err0 := parseMeta(first)
	pageSize := m0.pageSize
	if err0 != nil {
		// Find the second meta page as bbolt does: at each possible page
		// size.
		for ps := uint64(boltMinPageSize); ps <= boltMaxPageSize && ps < size; ps <<= 1 {
			b, err := read(ps)
			if err != nil {
				return err
			}
			if b == nil {
				break
			}
			if m, err := parseMeta(b); err == nil && m.pageSize == ps {
				pageSize = ps
				break
			}
		}
		if pageSize == 0 {
			return corrupt("no valid meta page (%v)", err0)
		}
	}
	if pageSize < boltMinPageSize || pageSize > boltMaxPageSize || pageSize&(pageSize-1) != 0 {
		return corrupt("page size %d", pageSize)
	}
	if size%pageSize != 0 {
		return corrupt("size is not a whole number of %d-byte pages: truncated", pageSize)
	}
	second, err := read(pageSize)
	if err != nil {
		return err
	}
	m1, err1 := parseMeta(second)
	if err0 != nil && err1 != nil {
		return corrupt("no valid meta page (%v; %v)", err0, err1)
	}
	pages := size / pageSize
	for i, m := range []struct {
		meta boltMeta
		err  error
	}{{m0, err0}, {m1, err1}} {
		if m.err != nil {
			continue
		}
		switch {
		case m.meta.pageSize != pageSize:
			return corrupt("meta page %d has page size %d, not %d", i, m.meta.pageSize, pageSize)
		case m.meta.hwm < 4 || m.meta.hwm > pages:
			return corrupt("meta page %d claims %d pages, the file holds %d: truncated", i, m.meta.hwm, pages)
		case m.meta.root < 2 || m.meta.root >= m.meta.hwm:
			return corrupt("meta page %d has its root at page %d", i, m.meta.root)
		case m.meta.freelist != boltNoFreelist && (m.meta.freelist < 2 || m.meta.freelist >= m.meta.hwm):
			return corrupt("meta page %d has its freelist at page %d", i, m.meta.freelist)
		}
	}
	return nil
}
