package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
)

// A compiled form lets a command that decides for one profile skip parsing
// the rest of a large policy. It holds no policy text of its own: only
// where, in the policy file's bytes, each rule, pin, approval rule and
// break-glass rule stands, and for each profile the ones that can apply to
// it (rules in file order, the first approval rule, the break-glass rules
// in file order). ParseCompiled cuts those entries out of the file, which
// the caller has read anyway (its hash is the policy's identity), and
// decodes just them. So a compiled form can only ever select from the very
// file it was made from: its header carries that file's SHA-256 and is
// refused for any other bytes, and a hash of its own body catches damage.
//
// Layout: magic, the policy file's SHA-256, the body's hash, the number of
// 4 KiB chunks of the body, the SHA-256 of each chunk, the body. The body's
// hash is the SHA-256 of the chunks' hashes (a hash tree of one level), so
// that a reader checks the chunks it reads and needs no others. The body
// is little-endian uint32s so that a lookup reads only what it needs: a fixed header of counts and table offsets, a table per section
// of entry ranges, a table of profile entry offsets sorted by name (binary
// searched), and the profile entries.

// compiledMagic starts every compiled form; the last bytes are its version.
var compiledMagic = []byte("sentinel-policy\x01") // magicLen bytes

const (
	magicLen          = 16
	compiledHeaderLen = magicLen + 2*sha256.Size
	// chunkSize is the unit in which a compiled body is hashed and read.
	chunkSize = 4096
	// body header: accounts start and end, hasPins, then count and table
	// offset of rules, approvals, break-glass rules and profiles, then the
	// offset of the fallback entry.
	bodyFixed = 12
)

// ErrCompiledMismatch says a compiled form does not belong to the policy
// bytes given (another or an edited policy) or is damaged; the caller parses
// the policy in full instead.
var ErrCompiledMismatch = errors.New("compiled policy does not match the policy file")

// ErrNotCompilable says a policy is laid out in a way Compile does not cut
// into entries (a flow-style section, an entry sharing a line with another);
// such a policy is always parsed in full.
var ErrNotCompilable = errors.New("policy layout cannot be compiled")

// profileView is what a policy read for one profile remembers.
type profileView struct {
	profile string
	// ruleNums[i] is the position in the file of Rules[i].
	ruleNums []int
}

// ruleNum is the position in the file of p.Rules[i].
func (p *Policy) ruleNum(i int) int {
	if p.view == nil {
		return i
	}
	return p.view.ruleNums[i]
}

// otherProfile reports whether p was read for one profile and profile is
// another: it then knows nothing of profile and fails closed.
func (p *Policy) otherProfile(profile string) bool {
	return p.view != nil && p.view.profile != profile
}

// Profile is the profile a policy read through its compiled form was read
// for, and "" for a policy read in full.
func (p *Policy) Profile() string {
	if p == nil || p.view == nil {
		return ""
	}
	return p.view.profile
}

// SHA256Sum is the SHA-256 of a policy file's bytes, the key of its compiled
// form.
func SHA256Sum(data []byte) [sha256.Size]byte { return sha256.Sum256(data) }

// section is a top-level key's lines in a file: [start, end) in bytes,
// body starting after the key's line.
type section struct {
	start, body, end int
	found            bool
}

// lineStarts gives the byte offset of each line (index 0 is line 1).
func lineStarts(data []byte) []int {
	starts := make([]int, 1, bytes.Count(data, []byte{'\n'})+2)
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// topSections finds the top-level keys written plainly at the start of a
// line ("rules:"); a section runs to the next line that starts at column 0
// with anything but a space, a comment or a sequence dash.
func topSections(data []byte, starts []int) map[string]*section {
	out := map[string]*section{}
	var open *section
	for _, s := range starts {
		if s >= len(data) {
			break
		}
		c := data[s]
		if c == ' ' || c == '#' || c == '\n' || c == '\r' || (c == '-' && !bytes.HasPrefix(data[s:], []byte("---"))) {
			continue
		}
		if open != nil {
			open.end = s
			open = nil
		}
		line := data[s:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i+1]
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		name := string(line[:colon])
		if _, dup := out[name]; dup {
			continue
		}
		sec := &section{start: s, body: s + len(line), found: true}
		out[name] = sec
		open = sec
	}
	if open != nil {
		open.end = len(data)
	}
	return out
}

// cut is a compiled policy's entry ranges, in bytes of the file.
type cut struct{ start, end, line int }

// entries cuts a section into its entries, each starting at its line in
// lines (in file order) and running to the next entry or the section's end.
func entries(data []byte, starts []int, sec *section, lines []int) ([]cut, error) {
	out := make([]cut, len(lines))
	for i, l := range lines {
		if !sec.found || l < 1 || l > len(starts) {
			return nil, ErrNotCompilable
		}
		s := starts[l-1]
		if s < sec.body || s >= sec.end || (i > 0 && s <= out[i-1].start) {
			return nil, ErrNotCompilable
		}
		out[i] = cut{start: s, line: l}
		if i > 0 {
			out[i-1].end = s
		}
	}
	if len(out) > 0 {
		out[len(out)-1].end = sec.end
	}
	return out, nil
}

// Compile makes the compiled form of p, which Parse made from data; it
// reports ErrNotCompilable when the file is not laid out as a plain block
// YAML file with one entry per line start. Before returning, it reads every
// entry back as ParseCompiled would and checks that it decodes to what Parse
// made of it, so that a compiled form never decides differently.
func Compile(p *Policy, data []byte) ([]byte, error) {
	if p == nil || p.view != nil || len(data) > MaxFileSize {
		return nil, ErrNotCompilable
	}
	starts := lineStarts(data)
	secs := topSections(data, starts)
	for name := range secs {
		switch name {
		case "version", "accounts", "profiles", "rules", "approvals", "breakglass", "tests":
		default:
			return nil, ErrNotCompilable // a quoted or odd key: leave it to Parse
		}
	}
	lines := func(n int, line func(int) int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = line(i)
		}
		return out
	}
	rules, err := entries(data, starts, secOr(secs, "rules"), lines(len(p.Rules), func(i int) int { return p.Rules[i].Line }))
	if err != nil {
		return nil, err
	}
	appr, err := entries(data, starts, secOr(secs, "approvals"), lines(len(p.Approvals), func(i int) int { return p.Approvals[i].Line }))
	if err != nil {
		return nil, err
	}
	bg, err := entries(data, starts, secOr(secs, "breakglass"), lines(len(p.Breakglass), func(i int) int { return p.Breakglass[i].Line }))
	if err != nil {
		return nil, err
	}
	pinNames := make([]string, 0, len(p.Pins))
	for name := range p.Pins {
		pinNames = append(pinNames, name)
	}
	slices.SortFunc(pinNames, func(a, b string) int { return p.Pins[a].Line - p.Pins[b].Line })
	pinCuts, err := entries(data, starts, secOr(secs, "profiles"), lines(len(pinNames), func(i int) int { return p.Pins[pinNames[i]].Line }))
	if err != nil {
		return nil, err
	}
	pinOf := make(map[string]cut, len(pinNames))
	for i, name := range pinNames {
		pinOf[name] = pinCuts[i]
	}
	var acc cut
	if s := secs["accounts"]; s != nil {
		acc = cut{start: s.start, end: s.end}
	}
	if err := checkReassembled(p, data, acc, pinCuts, rules, appr, bg); err != nil {
		return nil, err
	}

	// The profiles given an entry: every pin and every exact profile a
	// rule, approval rule or break-glass rule names. Any other name can
	// only be matched by a glob, or by an entry with no profiles at all:
	// the fallback entry lists those, and the view's own matching then
	// picks among them.
	names := append([]string(nil), pinNames...)
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		seen[n] = true
	}
	addExact := func(s *profileSet) {
		for _, e := range s.exact {
			if !seen[e] {
				seen[e] = true
				names = append(names, e)
			}
		}
	}
	for i := range p.Rules {
		addExact(&p.Rules[i].profiles)
	}
	for i := range p.Approvals {
		addExact(&p.Approvals[i].profiles)
	}
	for i := range p.Breakglass {
		addExact(&p.Breakglass[i].profiles)
	}
	slices.Sort(names)
	unnamed := func(s *profileSet) bool { return !s.given || len(s.globs) > 0 }

	var w u32Writer
	hasPins := uint32(0)
	if p.hasPins {
		hasPins = 1
	}
	w.put(uint32(acc.start), uint32(acc.end), hasPins)
	fixed := len(w.b)
	w.put(make([]uint32, bodyFixed-3)...)
	set := func(k int, v int) { binary.LittleEndian.PutUint32(w.b[fixed+4*k:], uint32(v)) }
	set(0, len(rules))
	set(1, len(w.b))
	for _, c := range rules {
		w.put(uint32(c.start), uint32(c.end), uint32(c.line))
	}
	set(2, len(appr))
	set(3, len(w.b))
	for _, c := range appr {
		w.put(uint32(c.start), uint32(c.end), uint32(c.line))
	}
	set(4, len(bg))
	set(5, len(w.b))
	for _, c := range bg {
		w.put(uint32(c.start), uint32(c.end), uint32(c.line))
	}
	set(6, len(names))
	table := len(w.b)
	set(7, table)
	w.put(make([]uint32, len(names))...)
	var lists [maxMerge][]int32
	// entry writes the lists of one entry: the rules, approval rules and
	// break-glass rules for which in holds, each in file order.
	entry := func(pin cut, nums []uint32, in func(*profileSet) bool) {
		w.put(uint32(pin.start), uint32(pin.end), uint32(pin.line))
		w.put(uint32(len(nums)))
		w.put(nums...)
		nums = nums[:0]
		for i := range p.Approvals {
			if in(&p.Approvals[i].profiles) {
				nums = append(nums, uint32(i))
			}
		}
		w.put(uint32(len(nums)))
		w.put(nums...)
		nums = nums[:0]
		for i := range p.Breakglass {
			if in(&p.Breakglass[i].profiles) {
				nums = append(nums, uint32(i))
			}
		}
		w.put(uint32(len(nums)))
		w.put(nums...)
	}
	for k, name := range names {
		binary.LittleEndian.PutUint32(w.b[table+4*k:], uint32(len(w.b)))
		w.put(uint32(len(name)))
		w.b = append(w.b, name...)
		// Rules are found through the index: trying every rule for
		// every name would cost 10,000 x 10,000 at this size.
		var nums []uint32
		visit := func(i int) bool {
			if p.Rules[i].compiled && p.Rules[i].profiles.match(name) {
				nums = append(nums, uint32(i))
			}
			return false
		}
		n, indexed := 0, false
		if p.index != nil {
			n, indexed = p.index.candidates(name, &lists)
		}
		if indexed {
			merged(&lists, n, visit)
		} else {
			for i := range p.Rules {
				visit(i)
			}
		}
		entry(pinOf[name], nums, func(s *profileSet) bool { return s.match(name) })
	}
	set(8, len(w.b))
	var any []uint32
	for i := range p.Rules {
		if p.Rules[i].compiled && unnamed(&p.Rules[i].profiles) {
			any = append(any, uint32(i))
		}
	}
	entry(cut{}, any, unnamed)
	sum := sha256.Sum256(data)
	sums := chunkSums(w.b)
	bodySum := sha256.Sum256(sums)
	out := make([]byte, 0, compiledHeaderLen+4+len(sums)+len(w.b))
	out = append(out, compiledMagic...)
	out = append(out, sum[:]...)
	out = append(out, bodySum[:]...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(sums)/sha256.Size))
	out = append(out, sums...)
	return append(out, w.b...), nil
}

// chunkSums is the SHA-256 of each chunkSize bytes of body, one after the
// other.
func chunkSums(body []byte) []byte {
	var out []byte
	for off := 0; off < len(body); off += chunkSize {
		sum := sha256.Sum256(body[off:min(off+chunkSize, len(body))])
		out = append(out, sum[:]...)
	}
	return out
}

func secOr(secs map[string]*section, name string) *section {
	if s := secs[name]; s != nil {
		return s
	}
	return &section{}
}

// checkReassembled decodes every cut entry together, as ParseCompiled
// decodes some of them, and checks that each decodes to what Parse made.
func checkReassembled(p *Policy, data []byte, acc cut, pins, rules, appr, bg []cut) error {
	doc := assemble(func(c cut) []byte { return data[c.start:c.end] }, acc, p.hasPins, pins, rules, appr, bg)
	q, err := parseView(doc)
	if err != nil {
		return ErrNotCompilable
	}
	if len(q.Rules) != len(p.Rules) || len(q.Pins) != len(p.Pins) || len(q.Approvals) != len(p.Approvals) ||
		len(q.Breakglass) != len(p.Breakglass) || q.hasPins != p.hasPins || !slices.Equal(q.Accounts, p.Accounts) {
		return ErrNotCompilable
	}
	for i := range p.Rules {
		if !sameRule(&q.Rules[i], &p.Rules[i]) {
			return ErrNotCompilable
		}
	}
	for name, pin := range p.Pins {
		qp, ok := q.Pins[name]
		qp.Line = pin.Line
		if !ok || !reflect.DeepEqual(qp, pin) {
			return ErrNotCompilable
		}
	}
	for i := range p.Approvals {
		a, b := q.Approvals[i], p.Approvals[i]
		a.Line = b.Line
		if !deepEqualZones(a, b) {
			return ErrNotCompilable
		}
	}
	for i := range p.Breakglass {
		a, b := q.Breakglass[i], p.Breakglass[i]
		a.Line = b.Line
		if !reflect.DeepEqual(a, b) {
			return ErrNotCompilable
		}
	}
	return nil
}

// sameRule compares two decoded rules but for their lines, and their time
// windows but for the *time.Location each decoder loaded on its own.
func sameRule(a, b *Rule) bool {
	x, y := *a, *b
	x.Line = y.Line
	return deepEqualZones(x, y)
}

// deepEqualZones is reflect.DeepEqual after giving every time window of a
// rule or approval rule the same zone pointer when the zones' names agree.
func deepEqualZones[T Rule | ApprovalRule](a, b T) bool {
	win := func(v any) []**TimeWindow {
		switch t := v.(type) {
		case *Rule:
			return []**TimeWindow{&t.Conditions.Time}
		case *ApprovalRule:
			if t.AutoApprove == nil {
				return nil
			}
			aa := *t.AutoApprove
			t.AutoApprove = &aa
			return []**TimeWindow{&t.AutoApprove.Time}
		}
		return nil
	}
	wa, wb := win(&a), win(&b)
	for i := range wa {
		if *wa[i] == nil || *wb[i] == nil {
			continue
		}
		x, y := **wa[i], **wb[i]
		if x.loc.String() != y.loc.String() {
			return false
		}
		x.loc, y.loc = nil, nil
		*wa[i], *wb[i] = &x, &y
	}
	return reflect.DeepEqual(a, b)
}

// assemble builds the policy document of the chosen entries, each list in
// file order.
func assemble(text func(cut) []byte, acc cut, hasPins bool, pins, rules, appr, bg []cut) []byte {
	var b bytes.Buffer
	b.WriteString("version: \"1\"\n")
	if acc.end > acc.start {
		b.Write(text(acc))
		ensureNL(&b)
	}
	section := func(name string, cs []cut, always bool) {
		if len(cs) == 0 && !always {
			return
		}
		b.WriteString(name)
		b.WriteString(":\n")
		for _, c := range cs {
			b.Write(text(c))
			ensureNL(&b)
		}
	}
	section("profiles", pins, hasPins)
	section("rules", rules, false)
	section("approvals", appr, false)
	section("breakglass", bg, false)
	return b.Bytes()
}

func ensureNL(b *bytes.Buffer) {
	if bs := b.Bytes(); len(bs) > 0 && bs[len(bs)-1] != '\n' {
		b.WriteByte('\n')
	}
}

// parseView decodes an assembled document.
func parseView(doc []byte) (*Policy, error) {
	d := &decoder{view: true}
	var p *Policy
	if d.checkSize(doc) {
		p = d.document(doc)
	}
	if len(d.issues) > 0 || p == nil {
		return nil, ErrCompiledMismatch
	}
	return p, nil
}

// ParseCompiled reads, from the policy file file and its compiled form
// compiled, the part of the policy that decides for profile: its rules,
// pin, approval rule and break-glass rules, the accounts and whether the
// policy pins profiles. The result answers Evaluate, Pin, CheckChain,
// ApprovalRuleFor, BreakglassRuleFor and NextWindowOpen for profile
// exactly as Parse's would (decisions carry the rules' positions in the
// file); asked about another profile it knows nothing and fails closed.
//
// The whole file is read and hashed, once, in a small buffer: only the
// entries the compiled form picks are kept, and nothing is returned unless
// the file's SHA-256 is the one in the form's header; the policy's SHA256
// is that hash. A file over MaxFileSize is refused. ParseCompiled returns
// ErrCompiledMismatch when compiled is not the file's or is damaged; the
// caller then parses the file in full.
func ParseCompiled(file io.Reader, path, profile string, compiled io.ReaderAt, size int64) (*Policy, error) {
	header := make([]byte, compiledHeaderLen+4)
	if size < int64(len(header)) || size > 1<<40 {
		return nil, ErrCompiledMismatch
	}
	if _, err := compiled.ReadAt(header, 0); err != nil || !bytes.Equal(header[:magicLen], compiledMagic) {
		return nil, ErrCompiledMismatch
	}
	nChunks := int64(binary.LittleEndian.Uint32(header[compiledHeaderLen:]))
	bodyLen := size - int64(len(header)) - nChunks*sha256.Size
	if bodyLen < 0 || (bodyLen+chunkSize-1)/chunkSize != nChunks {
		return nil, ErrCompiledMismatch
	}
	sums := make([]byte, nChunks*sha256.Size)
	if _, err := compiled.ReadAt(sums, int64(len(header))); err != nil {
		return nil, ErrCompiledMismatch
	}
	if bodySum := sha256.Sum256(sums); !bytes.Equal(header[magicLen+sha256.Size:compiledHeaderLen], bodySum[:]) {
		return nil, ErrCompiledMismatch
	}
	r := u32Reader{src: compiled, base: int64(len(header)) + int64(len(sums)), n: int(bodyLen), sums: sums, limit: MaxFileSize}
	want := header[magicLen : magicLen+sha256.Size]
	fix := make([]int, bodyFixed)
	for i := range fix {
		fix[i] = r.at(4 * i)
	}
	acc := r.cut(0)
	hasPins := fix[2] == 1
	nRules, rulesOff, nAppr, apprOff, nBG, bgOff, nProf, profOff, fallback := fix[3], fix[4], fix[5], fix[6], fix[7], fix[8], fix[9], fix[10], fix[11]
	// Binary search of the profile table.
	lo, hi, entry := 0, nProf, -1
	for lo < hi && r.err == nil {
		mid := int(uint(lo+hi) >> 1)
		off := r.at(profOff + 4*mid)
		n := r.at(off)
		name := r.bytes(off+4, n)
		switch c := strings.Compare(string(name), profile); {
		case c == 0:
			entry = off + 4 + n
			lo = hi
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	if r.err != nil {
		return nil, ErrCompiledMismatch
	}
	if entry < 0 {
		// A name no entry has: only the entries for any name apply.
		entry = fallback
	}
	pos := entry
	next := func() int { v := r.at(pos); pos += 4; return v }
	pin := cut{start: next(), end: next(), line: next()}
	if pin.start > pin.end || pin.end > MaxFileSize {
		return nil, ErrCompiledMismatch
	}
	var pins []cut
	if pin.end > pin.start {
		pins = []cut{pin}
	}
	// Each list is in file order, which a damaged list cannot break
	// unnoticed.
	pick := func(n, table, max int) ([]cut, []int) {
		if n > max || r.err != nil {
			r.err = ErrCompiledMismatch
			return nil, nil
		}
		cs, nums := make([]cut, n), make([]int, n)
		for k := range cs {
			i := next()
			if i >= max || (k > 0 && i <= nums[k-1]) {
				r.err = ErrCompiledMismatch
				return nil, nil
			}
			nums[k] = i
			cs[k] = r.cut(table + 12*i)
		}
		return cs, nums
	}
	rules, ruleNums := pick(next(), rulesOff, nRules)
	appr, _ := pick(next(), apprOff, nAppr)
	bg, _ := pick(next(), bgOff, nBG)
	if r.err != nil {
		return nil, ErrCompiledMismatch
	}
	wanted := append(append(append(append([]cut{acc}, pins...), rules...), appr...), bg...)
	kept, err := keepCuts(file, want, wanted)
	if err != nil {
		return nil, err
	}
	p, err := parseView(assemble(func(c cut) []byte { return kept[[2]int{c.start, c.end}] }, acc, hasPins, pins, rules, appr, bg))
	if err != nil || len(p.Rules) != len(rules) || len(p.Approvals) != len(appr) || len(p.Breakglass) != len(bg) ||
		len(p.Pins) != len(pins) || p.hasPins != hasPins {
		return nil, ErrCompiledMismatch
	}
	for k := range p.Rules {
		p.Rules[k].Line = rules[k].line
	}
	for k := range p.Approvals {
		p.Approvals[k].Line = appr[k].line
	}
	for k := range p.Breakglass {
		p.Breakglass[k].Line = bg[k].line
	}
	for name, pn := range p.Pins {
		pn.Line = pin.line
		p.Pins[name] = pn
	}
	p.index = newRuleIndex(p.Rules)
	p.view = &profileView{profile: profile, ruleNums: ruleNums}
	p.Path = path
	p.SHA256 = hex.EncodeToString(want)
	return p, nil
}

// keepCuts reads all of file through SHA-256, keeping the bytes of the
// cuts wanted (by [start, end)), and refuses a file whose hash is not want,
// that is over MaxFileSize, or that ends before a cut does.
func keepCuts(file io.Reader, want []byte, wanted []cut) (map[[2]int][]byte, error) {
	kept := make(map[[2]int][]byte, len(wanted))
	for _, c := range wanted {
		if c.end > c.start {
			kept[[2]int{c.start, c.end}] = make([]byte, 0, c.end-c.start)
		}
	}
	h := sha256.New()
	buf := make([]byte, 64<<10)
	off := 0
	for {
		n, err := file.Read(buf)
		chunk := buf[:n]
		h.Write(chunk)
		for k, b := range kept {
			// The part of [k[0], k[1]) in [off, off+n).
			lo, hi := max(k[0], off), min(k[1], off+n)
			if lo < hi {
				kept[k] = append(b, chunk[lo-off:hi-off]...)
			}
		}
		off += n
		if off > MaxFileSize {
			return nil, ErrCompiledMismatch
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if !bytes.Equal(h.Sum(nil), want) {
		return nil, ErrCompiledMismatch
	}
	for k, b := range kept {
		if len(b) != k[1]-k[0] {
			return nil, ErrCompiledMismatch
		}
	}
	return kept, nil
}

// u32Writer appends little-endian uint32s.
type u32Writer struct{ b []byte }

func (w *u32Writer) put(vs ...uint32) {
	for _, v := range vs {
		w.b = binary.LittleEndian.AppendUint32(w.b, v)
	}
}

// u32Reader reads a compiled body lazily: each chunk it touches is read
// from src and checked against its hash (whose list the header's body hash
// covers) on first use, so that a lookup reads and hashes a few chunks,
// not the whole form. It remembers the first failure rather than
// panicking; limit bounds the file ranges it reads.
type u32Reader struct {
	src    io.ReaderAt
	base   int64 // where the body starts in src
	n      int   // the body's length
	sums   []byte
	chunks map[int][]byte
	limit  int
	err    error
}

// chunk returns body chunk k, read and checked.
func (r *u32Reader) chunk(k int) []byte {
	if c, ok := r.chunks[k]; ok {
		return c
	}
	if r.chunks == nil {
		r.chunks = map[int][]byte{}
	}
	c := make([]byte, min(chunkSize, r.n-k*chunkSize))
	if _, err := r.src.ReadAt(c, r.base+int64(k*chunkSize)); err != nil {
		r.err = ErrCompiledMismatch
		return nil
	}
	if sum := sha256.Sum256(c); !bytes.Equal(sum[:], r.sums[k*sha256.Size:(k+1)*sha256.Size]) {
		r.err = ErrCompiledMismatch
		return nil
	}
	r.chunks[k] = c
	return c
}

func (r *u32Reader) at(off int) int {
	b := r.bytes(off, 4)
	if len(b) != 4 {
		return 0
	}
	return int(binary.LittleEndian.Uint32(b))
}

func (r *u32Reader) bytes(off, n int) []byte {
	if r.err != nil || off < 0 || n < 0 || off+n > r.n {
		r.err = ErrCompiledMismatch
		return nil
	}
	if n == 0 {
		return []byte{}
	}
	first, last := off/chunkSize, (off+n-1)/chunkSize
	if first == last {
		c := r.chunk(first)
		if c == nil {
			return nil
		}
		return c[off-first*chunkSize : off-first*chunkSize+n]
	}
	out := make([]byte, 0, n)
	for k := first; k <= last; k++ {
		c := r.chunk(k)
		if c == nil {
			return nil
		}
		lo, hi := max(off, k*chunkSize), min(off+n, (k+1)*chunkSize)
		out = append(out, c[lo-k*chunkSize:hi-k*chunkSize]...)
	}
	return out
}

// cut reads a [start, end) range of the file at off.
func (r *u32Reader) cut(off int) cut {
	c := cut{start: r.at(off), end: r.at(off + 4), line: r.at(off + 8)}
	if c.start > c.end || c.end > r.limit {
		r.err = ErrCompiledMismatch
		return cut{}
	}
	return c
}
