package fake

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/ufhook/ufhook/gen"
)

// A plan is a schema compiled once into a tree of nodes; running it writes
// one JSON value straight into a buffer, drawing from the state's seeded
// source. Running a plan allocates nothing but the growth of reused
// buffers.
type writer interface {
	gen(s *state, b []byte) []byte
}

// stream is what the records of one Faker share: their home tenant and the
// next number of their sequence.
type stream struct {
	home company
	next int64
}

// slot holds a value that x-same-as (or a generator's argument) refers to,
// once it has been written in the current payload.
type slot struct {
	start, end int
	num        int64
	set        bool
}

// state is the reusable working memory of a Faker.
type state struct {
	pcg    rand.PCG
	r      *rand.Rand
	fk     *gofakeit.Faker
	mode   gen.Mode
	stream stream
	// now is the payload's time in Unix milliseconds (Options.Now), which
	// timestamp.recent leads up to.
	now int64

	who        person
	hasPerson  bool
	org        company
	hasCompany bool

	slots   []slot
	slotBuf []byte
	// pins are the values that Options.Set fixes, by property path
	// ("/record/email"), as JSON; nil when none are.
	pins map[string][]byte
	// num is the number that the last timestamp generator wrote.
	num int64
	// levels and ranges are per-depth scratch for objects whose properties
	// are generated in another order than they are written.
	levels [][]byte
	ranges [][][2]int
	// buf is scratch for the strings made before they are encoded
	// (patterns, URLs).
	buf   []byte
	depth int
	// keyBuf holds the keys of the map entries being written, nested maps
	// last; keyStarts, where each begins (x-faker: map.key).
	keyBuf    []byte
	keyStarts []int
}

func newState() *state {
	s := &state{now: epochEnd}
	s.r = rand.New(&s.pcg)
	s.fk = gofakeit.NewFaker(&s.pcg, false)
	return s
}

// reseed restarts the stream as if new.
func (s *state) reseed(seed uint64) {
	s.pcg.Seed(seed, 0x9e3779b97f4a7c15)
	s.stream.home = s.newCompany()
	s.stream.next = 1 + s.r.Int64N(5000)
}

// begin clears what lives for one payload.
func (s *state) begin(mode gen.Mode, slots int) {
	s.mode = mode
	s.hasPerson, s.hasCompany = false, false
	if cap(s.slots) < slots {
		s.slots = make([]slot, slots)
	}
	s.slots = s.slots[:slots]
	clear(s.slots)
	s.slotBuf = s.slotBuf[:0]
	s.keyBuf, s.keyStarts = s.keyBuf[:0], s.keyStarts[:0]
}

func (s *state) chance(percent float64) bool {
	switch {
	case percent <= 0:
		return false
	case percent >= 100:
		return true
	}
	return s.r.Float64()*100 < percent
}

// raw is a fixed JSON value.
type raw []byte

func (n raw) gen(_ *state, b []byte) []byte { return append(b, n...) }

// pick is one of a list of fixed JSON values.
type pick [][]byte

func (n pick) gen(s *state, b []byte) []byte { return append(b, n[s.r.IntN(len(n))]...) }

// fn is a generator.
type fn genFunc

func (n fn) gen(s *state, b []byte) []byte { return n(s, b) }

// maybe writes alt (null, or an empty value) in percent of the runs and
// else runs inner.
type maybe struct {
	percent float64
	alt     []byte
	inner   writer
}

func (n *maybe) gen(s *state, b []byte) []byte {
	if s.chance(n.percent) {
		return append(b, n.alt...)
	}
	return n.inner.gen(s, b)
}

// boolean is true in percent of the runs.
type boolean float64

func (n boolean) gen(s *state, b []byte) []byte {
	if s.chance(float64(n)) {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// integer is a whole number in [min, max], a multiple of step.
type integer struct{ min, max, step int64 }

func (n *integer) gen(s *state, b []byte) []byte {
	k := (n.max - n.min) / n.step
	return strconv.AppendInt(b, n.min+n.step*s.r.Int64N(k+1), 10)
}

// decimal is a number in [min, max] with two decimals; with fraction set,
// never a whole one.
type decimal struct {
	min, max float64
	fraction bool
}

func (n *decimal) gen(s *state, b []byte) []byte {
	v := n.min + s.r.Float64()*(n.max-n.min)
	v = float64(int64(v*100)) / 100
	if v < n.min {
		v = n.min
	}
	if n.fraction && v == math.Trunc(v) {
		if v+0.5 <= n.max {
			v += 0.5
		} else {
			v -= 0.5
		}
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// template is a string of literal parts and generated ones.
type template []tplPart

type tplPart struct {
	lit      []byte // JSON-escaped, without quotes
	gen      genFunc
	slot     int // 1 + the slot that a {=REF} copies; 0 for none
	min, max int // a {number:min,max}, when gen is nil, lit is nil and slot is 0
}

func (n template) gen(s *state, b []byte) []byte {
	b = append(b, '"')
	for _, p := range n {
		switch {
		case p.lit != nil:
			b = append(b, p.lit...)
		case p.gen != nil:
			start := len(b)
			b = p.gen(s, b)
			// A string value goes in without its quotes.
			if len(b) > start+1 && b[start] == '"' {
				copy(b[start:], b[start+1:len(b)-1])
				b = b[:len(b)-2]
			}
		case p.slot > 0:
			b = s.appendSlotText(b, p.slot-1)
		default:
			b = strconv.AppendInt(b, int64(p.min+s.r.IntN(p.max-p.min+1)), 10)
		}
	}
	return append(b, '"')
}

// appendSlotText writes the value kept in slot i as text inside a JSON
// string: a string without its quotes, any other value escaped. A slot not
// written in this payload (its value is absent) writes nothing.
func (s *state) appendSlotText(b []byte, i int) []byte {
	sl := &s.slots[i]
	if !sl.set {
		return b
	}
	v := s.slotBuf[sl.start:sl.end]
	if len(v) >= 2 && v[0] == '"' {
		return append(b, v[1:len(v)-1]...)
	}
	return append(b, jsonInner(string(v))...)
}

// record writes inner and keeps a copy of what it wrote in a slot, for
// x-same-as and for generators that take a sibling.
type record struct {
	slot  int
	inner writer
}

func (n *record) gen(s *state, b []byte) []byte {
	start := len(b)
	s.num = 0
	b = n.inner.gen(s, b)
	s.keep(n.slot, b[start:])
	return b
}

// keep copies value, just written, into slot i, with the number the last
// timestamp generator wrote.
func (s *state) keep(i int, value []byte) {
	sl := &s.slots[i]
	sl.start = len(s.slotBuf)
	s.slotBuf = append(s.slotBuf, value...)
	sl.end, sl.num, sl.set = len(s.slotBuf), s.num, true
}

// sameAs copies a slot; when the slot was not written in this payload
// (the value it names is absent), it writes missing, or runs fallback.
type sameAs struct {
	slot     int
	missing  []byte
	fallback writer
}

func (n *sameAs) gen(s *state, b []byte) []byte {
	sl := &s.slots[n.slot]
	switch {
	case sl.set:
		s.num = sl.num
		return append(b, s.slotBuf[sl.start:sl.end]...)
	case n.missing != nil:
		return append(b, n.missing...)
	}
	return n.fallback.gen(s, b)
}

// after is a timestamp later than a sibling's, within span milliseconds.
type after struct {
	slot int
	span int64
}

func (n *after) gen(s *state, b []byte) []byte {
	from := s.slots[n.slot].num
	if !s.slots[n.slot].set || from == 0 {
		from = epochStart + s.r.Int64N(epochSpan)
	}
	return s.appendTimestamp(b, from+s.r.Int64N(n.span))
}

// anyTrue is true when any of the slots holds true.
type anyTrue []int

func (n anyTrue) gen(s *state, b []byte) []byte {
	for _, i := range n {
		sl := s.slots[i]
		if sl.set && string(s.slotBuf[sl.start:sl.end]) == "true" {
			return append(b, "true"...)
		}
	}
	return append(b, "false"...)
}

// choice runs one of its alternatives, drawn by weight.
type choice struct {
	alts    []writer
	weights []int
	total   int
}

func (n *choice) gen(s *state, b []byte) []byte {
	return n.alts[s.draw(n.weights, n.total)].gen(s, b)
}

func (s *state) draw(weights []int, total int) int {
	if total <= 0 {
		return s.r.IntN(len(weights))
	}
	x := s.r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// variants draws one variant of each group and runs the object compiled
// for that combination.
type variants struct {
	groups []variantGroup
	combos []writer
}

type variantGroup struct {
	weights []int
	total   int
}

func (n *variants) gen(s *state, b []byte) []byte {
	i := 0
	for _, g := range n.groups {
		i = i*len(g.weights) + s.draw(g.weights, g.total)
	}
	return n.combos[i].gen(s, b)
}

// counts draws how many items an array or map gets.
type counts struct {
	values, weights []int
	total           int
	min, max        int // used when values is empty
}

func (c *counts) draw(s *state) int {
	if len(c.values) > 0 {
		return c.values[s.draw(c.weights, c.total)]
	}
	return c.min + s.r.IntN(c.max-c.min+1)
}

// array writes items. Items drawn from a pick list are distinct.
type array struct {
	n        counts
	item     writer
	distinct [][]byte // the pick list, when items are drawn from one
	// unknownKeys, in the WithUnknownFields shape, go into half of the
	// picked items that are objects.
	unknownKeys [][]byte
	// first is 1 + the slot that keeps the first item, which something
	// refers to (e.g. authentication/firstFactors/0); 0 when nothing does.
	first int
	// unique (uniqueItems) redraws an item equal to an earlier one, and
	// ends the array when redrawing does not help.
	unique bool
	// prefix writes the first items (prefixItems), item the rest.
	prefix []writer
}

// uniqueTries is how often a uniqueItems array redraws a repeated item.
const uniqueTries = 16

func (n *array) gen(s *state, b []byte) []byte {
	k := n.n.draw(s)
	b = append(b, '[')
	if n.distinct != nil {
		// Draw without repeating a value (a weighted list repeats values):
		// from a random start, take the next value not yet written.
		var used uint64
		for i := 0; i < k; i++ {
			j, tries := s.r.IntN(len(n.distinct)), 0
			for ; tries < len(n.distinct) && n.usedValue(used, j); tries++ {
				j = (j + 1) % len(n.distinct)
			}
			if tries == len(n.distinct) {
				break // no value left that is not written already
			}
			used |= 1 << j
			if i > 0 {
				b = append(b, ',')
			}
			start := len(b)
			b = append(b, n.distinct[j]...)
			b = s.injectUnknown(b, start, n.unknownKeys)
			n.keepFirst(s, i, b[start:])
		}
		return append(b, ']')
	}
	if n.unique || n.prefix != nil {
		return n.genChecked(s, b, k)
	}
	for i := 0; i < k; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		start := len(b)
		s.num = 0
		b = n.item.gen(s, b)
		n.keepFirst(s, i, b[start:])
	}
	return append(b, ']')
}

// genChecked writes k items, the first from prefix, each distinct from the
// earlier ones when unique is set.
func (n *array) genChecked(s *state, b []byte, k int) []byte {
	open := len(b)
	var startsBuf [16]int
	starts := startsBuf[:0]
	for i := 0; i < k; i++ {
		mark := len(b)
		if i > 0 {
			b = append(b, ',')
		}
		start := len(b)
		item := n.item
		if i < len(n.prefix) {
			item = n.prefix[i]
		}
		ok := false
		for try := 0; try <= uniqueTries && !ok; try++ {
			b = b[:start]
			s.num = 0
			b = item.gen(s, b)
			ok = !n.unique || !repeatsItem(b[open:], starts, start-open, b[start:])
		}
		if !ok {
			b = b[:mark]
			break
		}
		starts = append(starts, start-open)
		n.keepFirst(s, i, b[start:])
	}
	return append(b, ']')
}

// repeatsItem reports whether item equals one of the items of arr (the
// array written so far) that begin at starts, the last ending at end.
func repeatsItem(arr []byte, starts []int, end int, item []byte) bool {
	for j, st := range starts {
		e := end - 1 // the comma before the current item
		if j+1 < len(starts) {
			e = starts[j+1] - 1
		}
		if string(arr[st:e]) == string(item) {
			return true
		}
	}
	return false
}

func (n *array) keepFirst(s *state, i int, item []byte) {
	if i == 0 && n.first > 0 {
		s.keep(n.first-1, item)
	}
}

// property is one property of an object.
type property struct {
	key    []byte // `"name":`
	writer writer
	// omit is the percentage of runs that leave it out.
	omit float64
	// path is the property's place in the payload, e.g. "/record/email",
	// which a pin (Options.Set) names.
	path string
	// slot is 1 + the slot that keeps the value, which something refers
	// to; 0 when nothing does.
	slot int
}

// write writes the property's value: the pinned one, if Options.Set pins
// its path, or else a generated one.
func (p *property) write(s *state, b []byte) []byte {
	if s.pins != nil {
		if v, ok := s.pins[p.path]; ok {
			start := len(b)
			b = append(b, v...)
			if p.slot > 0 {
				s.num = 0
				s.keep(p.slot-1, b[start:])
			}
			return b
		}
	}
	return p.writer.gen(s, b)
}

// object writes its properties in document order, after generating them in
// dependency order when that differs.
type object struct {
	props []property
	// order is the generation order; nil means document order, written
	// straight out.
	order []int
	// extra, for a map (additionalProperties), writes some generated keys
	// after the properties.
	extra *entries
	// unknown is the percentage of runs that add a key no schema defines.
	unknown float64
	// unknownKeys are the futureKeys this object does not define.
	unknownKeys [][]byte
}

// entries are the generated keys and values of a map.
type entries struct {
	n counts
	// keys make the keys: the i-th key comes from keys[i], or from the
	// last of them.
	keys  []genFunc
	value writer
}

func (n *object) gen(s *state, b []byte) []byte {
	open := len(b)
	b = append(b, '{')
	first := true
	if n.order == nil {
		for i := range n.props {
			p := &n.props[i]
			if p.omit > 0 && s.chance(p.omit) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = p.write(s, append(b, p.key...))
		}
	} else {
		b, first = n.genOrdered(s, b)
	}
	if n.extra != nil {
		b, first = n.extra.gen(s, b, open, first)
	}
	if n.unknown > 0 && len(n.unknownKeys) > 0 && s.chance(n.unknown) {
		if !first {
			b = append(b, ',')
		}
		b = append(b, n.unknownKeys[s.r.IntN(len(n.unknownKeys))]...)
		b = s.appendUnknown(b)
	}
	return append(b, '}')
}

func (n *object) genOrdered(s *state, b []byte) ([]byte, bool) {
	d := s.depth
	s.depth++
	for len(s.levels) <= d {
		s.levels = append(s.levels, make([]byte, 0, 1024))
		s.ranges = append(s.ranges, nil)
	}
	buf := s.levels[d][:0]
	ranges := s.ranges[d]
	if cap(ranges) < len(n.props) {
		ranges = make([][2]int, len(n.props))
	}
	ranges = ranges[:len(n.props)]
	for _, i := range n.order {
		p := &n.props[i]
		if p.omit > 0 && s.chance(p.omit) {
			ranges[i] = [2]int{-1, -1}
			continue
		}
		start := len(buf)
		buf = p.write(s, buf)
		ranges[i] = [2]int{start, len(buf)}
	}
	s.depth--
	first := true
	for i := range n.props {
		r := ranges[i]
		if r[0] < 0 {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(append(b, n.props[i].key...), buf[r[0]:r[1]]...)
	}
	s.levels[d], s.ranges[d] = buf, ranges
	return b, first
}

func (e *entries) gen(s *state, b []byte, open int, first bool) ([]byte, bool) {
	k := e.n.draw(s)
	for i := 0; i < k; i++ {
		start := len(b)
		if !first {
			b = append(b, ',')
		}
		keyAt := len(b)
		b = e.keys[min(i, len(e.keys)-1)](s, b)
		// A key must be a JSON string and unique; a generator that wrote
		// something else, or a repeat, ends the map here.
		if len(b) == keyAt || b[keyAt] != '"' || repeatsKey(b[open:keyAt], b[keyAt:]) {
			return b[:start], first
		}
		first = false
		// The key stays readable (x-faker: map.key) while its value is
		// written.
		s.keyStarts = append(s.keyStarts, len(s.keyBuf))
		s.keyBuf = append(s.keyBuf, b[keyAt:]...)
		b = e.value.gen(s, append(b, ':'))
		top := s.keyStarts[len(s.keyStarts)-1]
		s.keyBuf, s.keyStarts = s.keyBuf[:top], s.keyStarts[:len(s.keyStarts)-1]
	}
	return b, first
}

// repeatsKey reports whether key (quoted) already stands as a key in obj,
// the object written so far (from its opening brace). It is a byte search: the keys this writes are
// plain generated strings.
func repeatsKey(obj, key []byte) bool {
	for i := 0; i+len(key) < len(obj); i++ {
		if (obj[i] == '{' || obj[i] == ',') && string(obj[i+1:i+1+len(key)]) == string(key) && i+1+len(key) < len(obj) && obj[i+1+len(key)] == ':' {
			return true
		}
	}
	return false
}

// usedValue reports whether the value at j equals one of the used ones.
func (n *array) usedValue(used uint64, j int) bool {
	for i := range n.distinct {
		if used&(1<<i) != 0 && string(n.distinct[i]) == string(n.distinct[j]) {
			return true
		}
	}
	return false
}

// withUnknown adds, in half of the runs, a key that no schema defines to
// the object that inner writes (a picked value, which has no plan of its
// own to add it).
type withUnknown struct {
	inner writer
	keys  [][]byte
}

func (n *withUnknown) gen(s *state, b []byte) []byte {
	start := len(b)
	return s.injectUnknown(n.inner.gen(s, b), start, n.keys)
}

// injectUnknown adds an unknown key to the object in b[start:], in half of
// the runs.
func (s *state) injectUnknown(b []byte, start int, keys [][]byte) []byte {
	if len(keys) == 0 || len(b)-start < 2 || b[start] != '{' || !s.chance(50) {
		return b
	}
	b = b[:len(b)-1]
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, keys[s.r.IntN(len(keys))]...)
	return append(s.appendUnknown(b), '}')
}
