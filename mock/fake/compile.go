package fake

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ufhook/ufhook/openapi"
)

// compiler turns a schema into a plan for one shape. Compiling never looks
// at the names of the properties: what a value looks like comes from its
// schema and the x-faker extensions beside it (hints.go).
type compiler struct {
	shape Shape
	// rest keeps the x-rest-only properties, for the REST form of a record.
	rest bool
	// modeField is the JSON pointer of the payload's mode (x-ufhook-modes),
	// which writes the payload's mode unless its schema names a generator;
	// "" when the schema is not a whole payload, or the document declares
	// no modes.
	modeField string
	// noModes is set when the document declares no modes: x-faker: mode
	// then has no mode to write, and the value is drawn as if it named no
	// generator (from its enum, for instance).
	noModes bool
	// targets maps the path of a value that something refers to (x-same-as,
	// timestamp.after, or) to its slot.
	targets map[string]int
	// refs logs the target paths referred to, in compile order, so that an
	// object can order its properties after the siblings they refer to.
	refs []string
	// stack holds the schemas being compiled, to bound recursion.
	stack []*openapi3.Schema
	// minimal is set below a recursion bound: only what the schema
	// requires is written.
	minimal bool
	// mapDepth counts the maps (additionalProperties) whose values are
	// being compiled, where x-faker: map.key may stand.
	mapDepth int
	// hugeDone is set once the Huge shape has filled a free-form object:
	// only the first gets its bulk, so that the payload stays within a
	// receiver's body limit.
	hugeDone bool
	// varied is set when a variety shape changed a value from what Full
	// writes.
	varied bool
	// pairs holds the allOf of two schemas that mergeAllOf made (both), one
	// per pair, so that a schema nesting in itself through it is seen.
	pairs map[[2]*openapi3.SchemaRef]*openapi3.SchemaRef
	// fraction is set while compiling a oneOf branch of type number beside
	// one of type integer: its numbers must not be whole, or they would
	// match both.
	fraction bool
}

// maxRecursion bounds how often one schema may nest in itself.
const maxRecursion = 2

// compilePlan compiles the schema of a payload for shape. It returns the
// plan and the number of slots it uses.
func compilePlan(root *openapi3.SchemaRef, name string, shape Shape, rest bool) (writer, int, error) {
	n, slots, _, err := compileShape(root, name, shape, rest, "")
	return n, slots, err
}

// compileShape is compilePlan that also reports whether shape, when it is
// a variety shape (variety.go), found something in the schema to vary: a
// payload that it leaves as Full leaves it says so. modeField is the
// pointer of the payload's mode (see compiler.modeField).
func compileShape(root *openapi3.SchemaRef, name string, shape Shape, rest bool, modeField string) (writer, int, bool, error) {
	c := &compiler{shape: shape, rest: rest, targets: map[string]int{}, modeField: modeField}
	_, hasModes := openapi.Modes()
	c.noModes = !hasModes
	// The first pass finds what is referred to, the second wraps those
	// values so that they are kept when written.
	if _, err := c.compile(viewOf(root, nil, name), ""); err != nil {
		return nil, 0, false, err
	}
	c.refs = c.refs[:0]
	c.hugeDone = false
	n, err := c.compile(viewOf(root, nil, name), "")
	if err != nil {
		return nil, 0, false, err
	}
	return n, len(c.targets), c.varied, nil
}

func (c *compiler) realistic() bool {
	return !c.minimal && (c.shape == Realistic || c.shape == WithUnknownFields)
}

// full reports whether the shape sets every property: Full, and the shapes
// built on it.
func (c *compiler) full() bool {
	return !c.minimal && c.shape != Realistic && c.shape != Sparse && c.shape != WithUnknownFields
}

func (c *compiler) sparse() bool { return c.minimal || c.shape == Sparse }

func (c *compiler) compile(v view, path string) (writer, error) {
	n, err := c.value(v, path)
	if err != nil {
		return nil, err
	}
	if i, ok := c.targets[path]; ok {
		n = &record{slot: i, inner: n}
	}
	return n, nil
}

// target resolves a reference made at path (the referring value's own
// path) and returns its slot. A reference starting with "/" is a JSON
// pointer from the payload's root; any other names a sibling, then a path
// into it.
func (c *compiler) target(path, ref string, v view) (int, error) {
	if ref == "" {
		return 0, v.errorf("an empty reference")
	}
	abs := ref
	if !strings.HasPrefix(ref, "/") {
		parent := path[:max(0, strings.LastIndexByte(path, '/'))]
		abs = parent + "/" + ref
	}
	if abs == path || strings.HasPrefix(path, abs+"/") {
		return 0, v.errorf("%q refers to the value itself or to one that holds it", ref)
	}
	i, ok := c.targets[abs]
	if !ok {
		i = len(c.targets)
		c.targets[abs] = i
	}
	c.refs = append(c.refs, abs)
	return i, nil
}

func (c *compiler) value(v view, path string) (writer, error) {
	if x, ok := v.refExt[extOverlay]; ok {
		if _, isMap := x.(map[string]any); !isMap {
			return nil, v.errorf("%s must be an object of keywords and hints, e.g. {properties: {createdAt: {x-faker: timestamp.recent}}}, got %v", extOverlay, x)
		}
	}
	if n := countOf(c.stack, v.s); n >= maxRecursion && !c.minimal {
		c.minimal = true
		defer func() { c.minimal = false }()
	} else if n > maxRecursion+8 {
		return nil, v.errorf("the schema nests in itself without end: no finite value is valid")
	}
	c.stack = append(c.stack, v.s)
	defer func() { c.stack = c.stack[:len(c.stack)-1] }()

	if len(v.s.AllOf) > 0 {
		merged, err := c.mergeAllOf(v)
		if err != nil {
			return nil, err
		}
		v.s = merged
	}
	if t := v.types(); len(t) == 1 && t[0] == "null" {
		return raw("null"), nil
	}
	nullable, nonNull := nullableParts(v)
	if nullable {
		switch {
		case c.sparse() || c.shape == Nulls:
			return raw("null"), nil
		case c.full():
			return c.nonNull(nonNull, path, false)
		}
		hinted := hasHints(v)
		def := 10.0
		if hinted {
			def = 0
		}
		p, err := v.percent(extNull, def)
		if err != nil {
			return nil, err
		}
		inner, err := c.nonNull(nonNull, path, true)
		if err != nil {
			return nil, err
		}
		if p == 0 {
			return inner, nil
		}
		return &maybe{percent: p, alt: []byte("null"), inner: inner}, nil
	}
	return c.nonNull(v, path, false)
}

// nonNull compiles a value that is not null; nullable says whether the
// schema would allow null, which a same-as value whose source is absent
// then becomes.
func (c *compiler) nonNull(v view, path string, nullable bool) (writer, error) {
	if ref, ok, err := v.str(extSameAs); err != nil {
		return nil, err
	} else if ok {
		slot, err := c.target(path, ref, v)
		if err != nil {
			return nil, err
		}
		var over map[string]any
		if v.over != nil {
			over = cloneMap(v.over)
			delete(over, extSameAs)
		}
		fallback, err := c.valueOf(viewWithout(v, over), path)
		if err != nil {
			return nil, err
		}
		n := &sameAs{slot: slot, fallback: fallback}
		if c.realistic() && nullable {
			n.missing = []byte("null")
		}
		return n, nil
	}
	return c.valueOf(v, path)
}

func (c *compiler) valueOf(v view, path string) (writer, error) {
	if n, ok := c.variety(v); ok {
		c.varied = true
		return n, nil
	}
	n, err := c.plainValue(v, path)
	if err != nil || !c.unicodeText(v) {
		return n, err
	}
	c.varied = true
	return unicodeText{inner: n}, nil
}

func (c *compiler) plainValue(v view, path string) (writer, error) {
	if empty, ok := c.sparseEmpty(v); ok {
		return raw(empty), nil
	}
	if c.modeField != "" && path == c.modeField && !v.has(extFaker) {
		return c.faker(v, "mode", path)
	}
	if x, ok := v.get(extPick); ok {
		return c.pick(v, x, path)
	}
	if x, ok := v.constant(); ok {
		return rawJSON(x, v)
	}
	if name, ok, err := v.str(extFaker); err != nil {
		return nil, err
	} else if ok && !(name == "mode" && c.noModes) {
		n, err := c.faker(v, name, path)
		if err != nil {
			return nil, err
		}
		return c.maybeEmpty(v, n, `""`)
	}
	if tpl, ok, err := v.str(extTemplate); err != nil {
		return nil, err
	} else if ok {
		n, err := c.template(v, tpl, path)
		if err != nil {
			return nil, err
		}
		return c.maybeEmpty(v, n, `""`)
	}
	if enum := nonNullValues(v.enum()); len(enum) > 0 {
		return c.pickValues(v, enum)
	}
	if alts := branches(v); len(alts) > 0 {
		return c.choice(v, alts, path)
	}
	types := v.types()
	typ := ""
	if len(types) > 0 {
		typ = types[0]
	} else if len(v.s.Properties) > 0 || v.s.AdditionalProperties.Schema != nil {
		typ = "object"
	} else if v.s.Items != nil {
		typ = "array"
	}
	switch typ {
	case "string":
		return c.str(v)
	case "integer":
		return c.integer(v)
	case "number":
		return c.decimal(v)
	case "boolean":
		p, err := v.percent(extTrue, 50)
		if err != nil {
			return nil, err
		}
		return boolean(p), nil
	case "object":
		return c.object(v, path)
	case "array":
		return c.array(v, path)
	case "null":
		return raw("null"), nil
	}
	// No type: any value is valid. Take an example, or a word.
	if ex := v.examples(); len(ex) > 0 {
		return c.pickValues(v, ex)
	}
	return fn(func(s *state, b []byte) []byte { return appendString(b, s.fk.Word()) }), nil
}

// sparseEmpty returns the empty value that the Sparse shape writes where the
// schema allows one: "" for a string without a length, pattern, format,
// enum or const; {} for an object that requires nothing; [] for an array
// that needs no items.
func (c *compiler) sparseEmpty(v view) (string, bool) {
	if !c.sparse() {
		return "", false
	}
	if _, ok := v.constant(); ok || len(v.enum()) > 0 {
		return "", false
	}
	s := v.s
	switch t := v.types(); {
	case len(t) == 0:
		return "", false
	case t[0] == "string":
		return `""`, s.MinLength == 0 && s.Pattern == "" && s.Format == ""
	case t[0] == "object":
		return "{}", len(s.Required) == 0 && s.MinProps == 0
	case t[0] == "array":
		return "[]", s.MinItems == 0
	}
	return "", false
}

func (c *compiler) maybeEmpty(v view, n writer, empty string) (writer, error) {
	if c.sparse() {
		return n, nil
	}
	if !c.realistic() {
		return n, nil
	}
	p, err := v.percent(extEmpty, 0)
	if err != nil || p == 0 {
		return n, err
	}
	return &maybe{percent: p, alt: []byte(empty), inner: n}, nil
}

func (c *compiler) pick(v view, x any, path string) (writer, error) {
	list, ok := x.([]any)
	if !ok || len(list) == 0 {
		return nil, v.errorf("%s must be a non-empty list of values", extPick)
	}
	if c.full() {
		var kept []any
		for _, e := range list {
			if !isEmptyValue(e) {
				kept = append(kept, e)
			}
		}
		if len(kept) > 0 {
			list = kept
		}
	}
	if c.sparse() {
		for _, e := range list {
			if isEmptyValue(e) {
				return rawJSON(e, v)
			}
		}
	}
	n, err := c.pickValues(v, list)
	if err != nil {
		return nil, err
	}
	if keys := c.unknownKeys(v); keys != nil {
		n = &withUnknown{inner: n, keys: keys}
	}
	return c.maybeEmpty(v, n, emptyOf(v))
}

// unknownKeys returns, in the WithUnknownFields shape, the futureKeys that
// an object of v may take: none where the schema allows no additional
// property, or constrains them with a schema.
func (c *compiler) unknownKeys(v view) [][]byte {
	s := v.s
	open := s.AdditionalProperties.Schema == nil &&
		!(s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has) &&
		!(s.UnevaluatedProperties.Has != nil && !*s.UnevaluatedProperties.Has)
	if c.shape != WithUnknownFields || c.minimal || !open {
		return nil
	}
	if t := v.types(); len(t) > 0 && t[0] != "object" || len(t) == 0 && len(s.Properties) == 0 {
		return nil
	}
	var keys [][]byte
	for _, k := range futureKeys {
		if _, defined := s.Properties[k]; !defined {
			keys = append(keys, append(appendString(nil, k), ':'))
		}
	}
	return keys
}

func (c *compiler) pickValues(v view, list []any) (writer, error) {
	out := make(pick, 0, len(list))
	for _, e := range list {
		b, err := json.Marshal(e)
		if err != nil {
			return nil, v.errorf("a value that is not JSON: %v", err)
		}
		out = append(out, b)
	}
	if len(out) == 1 {
		return raw(out[0]), nil
	}
	return out, nil
}

func (c *compiler) faker(v view, spec, path string) (writer, error) {
	name, args, _ := strings.Cut(spec, ":")
	switch name {
	case "timestamp.after":
		slot, err := c.target(path, args, v)
		if err != nil {
			return nil, err
		}
		return &after{slot: slot, span: 200 * day}, nil
	case "or":
		var n anyTrue
		for _, a := range strings.Split(args, ",") {
			slot, err := c.target(path, strings.TrimSpace(a), v)
			if err != nil {
				return nil, err
			}
			n = append(n, slot)
		}
		return n, nil
	case "id", "home.id", "company.id":
		if args == "" {
			break
		}
		f, err := parseIDForm(args)
		if err != nil {
			return nil, v.errorf("%s %q %v", extFaker, spec, err)
		}
		switch name {
		case "home.id":
			return fn(func(s *state, b []byte) []byte { return s.stream.home.appendID(append(b, '"'), s, f) }), nil
		case "company.id":
			return fn(func(s *state, b []byte) []byte { return s.company().appendID(append(b, '"'), s, f) }), nil
		}
		return fn(idGen(f)), nil
	case "map.key":
		if c.mapDepth == 0 {
			return nil, v.errorf("%s %q writes the key of the map entry that holds the value: use it only within additionalProperties", extFaker, spec)
		}
	}
	if g, ok := builtins[spec]; ok {
		return fn(g), nil
	}
	if g := lookupFaker(spec); g != nil {
		return fn(g), nil
	}
	return nil, v.errorf("%s %q is no generator: use one of ufhook's (%s) or a gofakeit function name", extFaker, spec, builtinNames())
}

// template compiles "text {number:1,12} {person.first} {=sibling}".
func (c *compiler) template(v view, tpl, path string) (writer, error) {
	var out template
	for tpl != "" {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			out = append(out, tplPart{lit: jsonInner(tpl)})
			break
		}
		if i > 0 {
			out = append(out, tplPart{lit: jsonInner(tpl[:i])})
		}
		j := strings.IndexByte(tpl[i:], '}')
		if j < 0 {
			return nil, v.errorf("%s %q has a { without }", extTemplate, tpl)
		}
		ph := tpl[i+1 : i+j]
		tpl = tpl[i+j+1:]
		if ref, ok := strings.CutPrefix(ph, "="); ok {
			// {=REF} copies a value written elsewhere in the payload, named
			// as x-same-as names it.
			slot, err := c.target(path, ref, v)
			if err != nil {
				return nil, err
			}
			out = append(out, tplPart{slot: slot + 1})
			continue
		}
		if lo, hi, ok := strings.Cut(strings.TrimPrefix(ph, "number:"), ","); ok && strings.HasPrefix(ph, "number:") {
			a, err1 := strconv.Atoi(lo)
			b, err2 := strconv.Atoi(hi)
			if err1 != nil || err2 != nil || b < a {
				return nil, v.errorf("%s: {%s} wants {number:MIN,MAX}", extTemplate, ph)
			}
			out = append(out, tplPart{min: a, max: b})
			continue
		}
		n, err := c.faker(v, ph, path)
		if err != nil {
			return nil, err
		}
		g, ok := n.(fn)
		if !ok {
			return nil, v.errorf("%s: {%s} is not a plain generator", extTemplate, ph)
		}
		out = append(out, tplPart{gen: genFunc(g)})
	}
	return out, nil
}

func jsonInner(s string) []byte {
	b := appendString(nil, s)
	return b[1 : len(b)-1]
}

func (c *compiler) choice(v view, alts []*openapi3.SchemaRef, path string) (writer, error) {
	ch := &choice{}
	// The keywords beside oneOf/anyOf hold for every branch (type: string
	// beside anyOf [{format: ipv4}, {format: ipv6}]).
	if parent := siblings(v.s); parent != nil {
		merged := make([]*openapi3.SchemaRef, len(alts))
		for i, a := range alts {
			merged[i] = c.both(a, parent)
		}
		alts = merged
	}
	// In a oneOf, a whole number matches both an integer and a number
	// branch: only the number branch is drawn, and with a fraction.
	exclusive := len(v.s.OneOf) > 0 && hasBranchType(alts, "integer") && hasBranchType(alts, "number")
	for i, a := range alts {
		if exclusive && branchType(a) == "integer" {
			continue
		}
		c.fraction = exclusive && branchType(a) == "number"
		n, err := c.compile(viewOf(a, nil, fmt.Sprintf("%s(%d)", v.path, i)), path)
		c.fraction = false
		if err != nil {
			return nil, err
		}
		ch.alts = append(ch.alts, n)
		ch.weights = append(ch.weights, 1)
	}
	ch.total = len(ch.alts)
	if len(ch.alts) == 1 {
		return ch.alts[0], nil
	}
	return ch, nil
}

// siblings returns, as a schema of its own, the keywords that stand beside
// s's oneOf or anyOf and constrain the value, or nil when none does.
func siblings(s *openapi3.Schema) *openapi3.SchemaRef {
	p := *s
	p.OneOf, p.AnyOf, p.Discriminator = nil, nil, nil
	p.Title, p.Description, p.Examples, p.Example, p.Extensions = "", "", nil, nil, nil
	if p.Type == nil && p.Format == "" && p.Pattern == "" && len(p.Properties) == 0 && len(p.Required) == 0 &&
		len(p.Enum) == 0 && p.Const == nil && p.Min == nil && p.Max == nil && p.MinLength == 0 && p.MaxLength == nil &&
		p.MinItems == 0 && p.MaxItems == nil && p.Items == nil && len(p.AllOf) == 0 &&
		p.AdditionalProperties.Has == nil && p.AdditionalProperties.Schema == nil {
		return nil
	}
	return &openapi3.SchemaRef{Value: &p}
}

// branchType returns the one type a branch declares, "" for none or several.
func branchType(a *openapi3.SchemaRef) string {
	if a == nil || a.Value == nil {
		return ""
	}
	s := a.Value
	if len(s.AllOf) > 0 && s.Type == nil {
		t := ""
		for _, b := range s.AllOf {
			if bt := branchType(b); bt != "" {
				t = bt
			}
		}
		return t
	}
	if s.Type == nil || len(s.Type.Slice()) != 1 {
		return ""
	}
	return s.Type.Slice()[0]
}

func hasBranchType(alts []*openapi3.SchemaRef, t string) bool {
	return slices.ContainsFunc(alts, func(a *openapi3.SchemaRef) bool { return branchType(a) == t })
}

func (c *compiler) str(v view) (writer, error) {
	s := v.s
	minLen, maxLen := int(s.MinLength), math.MaxInt
	if s.MaxLength != nil {
		maxLen = int(*s.MaxLength)
	}
	if c.sparse() && minLen == 0 && s.Pattern == "" && s.Format == "" {
		return raw(`""`), nil
	}
	var g genFunc
	switch s.Format {
	case "date-time":
		g = builtins["timestamp"]
	case "date":
		g = func(st *state, b []byte) []byte {
			b = appendTime(b, epochStart+st.r.Int64N(epochSpan))
			return append(b[:len(b)-15], '"')
		}
	case "email":
		g = builtins["person.email"]
	case "uuid":
		g = builtins["uuid"]
	case "uri", "url", "iri":
		g = func(st *state, b []byte) []byte {
			st.buf = appendURL(st.fk, st.buf[:0])
			return appendScratch(st, b)
		}
	case "hostname", "idn-hostname":
		g = func(st *state, b []byte) []byte { return appendString(b, st.fk.DomainName()) }
	case "ipv4":
		g = func(st *state, b []byte) []byte { return appendString(b, st.fk.IPv4Address()) }
	case "ipv6":
		g = func(st *state, b []byte) []byte { return appendString(b, st.fk.IPv6Address()) }
	case "time":
		g = func(st *state, b []byte) []byte {
			b = appendTime(b, epochStart+st.r.Int64N(epochSpan))
			t := b[len(b)-14 : len(b)-6] // HH:MM:SS of "...THH:MM:SS.mmmZ"
			var hms [8]byte
			copy(hms[:], t)
			b = b[:len(b)-26]
			return append(append(append(b, '"'), hms[:]...), 'Z', '"')
		}
	}
	switch {
	case g != nil:
	case s.Pattern != "" && datePattern(s.Pattern):
		// A date written as a pattern (api_version: ^\d{4}-\d{2}-\d{2}$)
		// gets a real date, not random digits.
		g = func(st *state, b []byte) []byte {
			b = appendTime(b, epochStart+st.r.Int64N(epochSpan))
			return append(b[:len(b)-15], '"')
		}
	case s.Pattern != "":
		g = patternFunc(s.Pattern)
	default:
		if ex := stringValues(v.examples()); len(ex) > 0 && minLen == 0 && maxLen == math.MaxInt {
			n, err := c.pickValues(v, ex)
			if err != nil {
				return nil, err
			}
			return c.maybeEmpty(v, n, `""`)
		}
		g = func(st *state, b []byte) []byte {
			w := st.fk.Word()
			for len([]rune(w)) < minLen {
				w += st.fk.Word()
			}
			if r := []rune(w); len(r) > maxLen {
				w = string(r[:maxLen])
			}
			return appendString(b, w)
		}
	}
	if minLen > 0 || s.Pattern != "" || s.Format != "" {
		return fn(g), nil
	}
	return c.maybeEmpty(v, fn(g), `""`)
}

func (c *compiler) integer(v view) (writer, error) {
	lo, hi := bounds(v.s, 1, 10000)
	if v.s.Format == "unixtime" || v.s.Format == "unix-time" {
		// Seconds since 1970 of the last few years (from late 2023),
		// as a provider's created and paid_at are; seeded payloads stay
		// the same whatever the clock.
		_, whi := bounds(v.s, 1, 1_790_000_000)
		if wlo := math.Max(lo, 1_700_000_000); wlo <= whi {
			lo, hi = wlo, whi
		}
	}
	n := &integer{min: int64(math.Ceil(lo)), max: int64(math.Floor(hi)), step: 1}
	if v.s.MultipleOf != nil && *v.s.MultipleOf >= 1 && *v.s.MultipleOf == math.Trunc(*v.s.MultipleOf) {
		n.step = int64(*v.s.MultipleOf)
		n.min = (n.min + n.step - 1) / n.step * n.step
	}
	if n.max < n.min {
		return nil, v.errorf("no integer fits its bounds")
	}
	if c.sparse() {
		return raw(strconv.AppendInt(nil, n.min, 10)), nil
	}
	return n, nil
}

func (c *compiler) decimal(v view) (writer, error) {
	lo, hi := bounds(v.s, 0, 1000)
	if hi < lo {
		return nil, v.errorf("no number fits its bounds")
	}
	return &decimal{min: lo, max: hi, fraction: c.fraction}, nil
}

// bounds returns the inclusive range that minimum, maximum and the
// exclusive bounds allow, defaulting to [lo, hi] within them.
func bounds(s *openapi3.Schema, lo, hi float64) (float64, float64) {
	minSet, maxSet := false, false
	if s.Min != nil {
		lo, minSet = *s.Min, true
		if s.ExclusiveMin.Bool != nil && *s.ExclusiveMin.Bool {
			lo++
		}
	}
	if s.ExclusiveMin.Value != nil {
		lo, minSet = math.Max(lo, *s.ExclusiveMin.Value+1), true
	}
	if s.Max != nil {
		hi, maxSet = *s.Max, true
		if s.ExclusiveMax.Bool != nil && *s.ExclusiveMax.Bool {
			hi--
		}
	}
	if s.ExclusiveMax.Value != nil {
		hi, maxSet = math.Min(hi, *s.ExclusiveMax.Value-1), true
	}
	switch {
	case minSet && !maxSet:
		hi = math.Max(hi, lo+10000)
	case maxSet && !minSet:
		lo = math.Min(lo, hi-10000)
	}
	return lo, hi
}

func (c *compiler) array(v view, path string) (writer, error) {
	s := v.s
	maxItems := math.MaxInt
	if s.MaxItems != nil {
		maxItems = int(*s.MaxItems)
	}
	n := &array{n: counts{min: int(s.MinItems), max: min(maxItems, max(int(s.MinItems), 3))}}
	values, weights, err := v.weights(extItems)
	if err != nil {
		return nil, err
	}
	for i, k := range values {
		if k >= int(s.MinItems) && k <= maxItems {
			n.n.values = append(n.n.values, k)
			n.n.weights = append(n.n.weights, weights[i])
			n.n.total += weights[i]
		}
	}
	if len(values) > 0 && len(n.n.values) == 0 {
		return nil, v.errorf("%s allows no count within minItems and maxItems", extItems)
	}
	switch {
	case c.sparse():
		n.n = counts{min: int(s.MinItems), max: int(s.MinItems)}
	case c.shape == Crowded && !c.minimal:
		k := min(maxItems, max(int(s.MinItems), crowd))
		n.n = counts{min: k, max: k}
		c.varied = c.varied || k > 1
	case c.full():
		lo := max(1, int(s.MinItems))
		if maxItems == 0 {
			lo = 0
		}
		keep := counts{}
		for i, k := range n.n.values {
			if k >= lo {
				keep.values = append(keep.values, k)
				keep.weights = append(keep.weights, n.n.weights[i])
				keep.total += n.n.weights[i]
			}
		}
		if len(keep.values) == 0 {
			keep = counts{min: lo, max: max(lo, min(n.n.max, maxItems))}
		}
		n.n = keep
	}
	items := v.items()
	if x, ok := items.get(extPick); ok {
		if list, isList := x.([]any); isList && len(list) <= 64 && !items.has(extSameAs) {
			vals, err := c.pickValues(items, list)
			if err != nil {
				return nil, err
			}
			if p, isPick := vals.(pick); isPick {
				n.distinct = p
			} else {
				n.distinct = [][]byte{vals.(raw)}
			}
			n.unknownKeys = c.unknownKeys(items)
		}
	}
	item, err := c.compile(items, path+"/[]")
	if err != nil {
		return nil, err
	}
	n.item = item
	n.unique = s.UniqueItems
	for i, p := range s.PrefixItems {
		pn, err := c.compile(viewOf(p, nil, fmt.Sprintf("%s[%d]", v.path, i)), fmt.Sprintf("%s/%d", path, i))
		if err != nil {
			return nil, err
		}
		n.prefix = append(n.prefix, pn)
	}
	if slot, ok := c.targets[path+"/0"]; ok {
		n.first = slot + 1
	}
	if c.realistic() && n.n.min == 0 || c.realistic() && len(n.n.values) > 0 && n.n.values[0] == 0 {
		return c.maybeEmpty(v, n, "[]")
	}
	return n, nil
}

func (c *compiler) object(v view, path string) (writer, error) {
	if c.realistic() {
		if x, ok := v.get(extVariants); ok {
			return c.variants(v, x, path)
		}
	}
	return c.plainObject(v, path)
}

func (c *compiler) variants(v view, x any, path string) (writer, error) {
	groups, ok := x.(map[string]any)
	if !ok || len(groups) == 0 {
		return nil, v.errorf("%s must map group names to lists of variants", extVariants)
	}
	names := make([]string, 0, len(groups))
	for k := range groups {
		names = append(names, k)
	}
	slices.Sort(names)
	type variant struct {
		weight int
		over   map[string]any
	}
	var all [][]variant
	n := &variants{}
	combos := 1
	for _, g := range names {
		list, ok := groups[g].([]any)
		if !ok || len(list) == 0 {
			return nil, v.errorf("%s group %q must be a list of variants", extVariants, g)
		}
		var vs []variant
		grp := variantGroup{}
		for i, e := range list {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, v.errorf("%s group %q variant %d must be an object with weight and properties", extVariants, g, i)
			}
			w, ok := number(m["weight"])
			if !ok || w < 0 {
				return nil, v.errorf("%s group %q variant %d needs a weight of 0 or more", extVariants, g, i)
			}
			over := map[string]any{}
			for k, val := range m {
				if k != "weight" && k != "name" && k != "description" {
					over[k] = val
				}
			}
			vs = append(vs, variant{int(w), over})
			grp.weights = append(grp.weights, int(w))
			grp.total += int(w)
		}
		all = append(all, vs)
		n.groups = append(n.groups, grp)
		combos *= len(vs)
		if combos > 512 {
			return nil, v.errorf("%s makes more than 512 combinations: use fewer groups or variants", extVariants)
		}
	}
	idx := make([]int, len(all))
	for range combos {
		over := map[string]any{}
		for gi, vi := range idx {
			over = mergeOverlay(over, all[gi][vi].over)
		}
		obj, err := c.plainObject(v.withOverlay(over), path)
		if err != nil {
			return nil, err
		}
		n.combos = append(n.combos, obj)
		for gi := len(idx) - 1; gi >= 0; gi-- {
			idx[gi]++
			if idx[gi] < len(all[gi]) {
				break
			}
			idx[gi] = 0
		}
	}
	return n, nil
}

func (c *compiler) plainObject(v view, path string) (writer, error) {
	s := v.s
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	// What then or else requires is required: both hold whichever the if
	// picks.
	for _, b := range []*openapi3.SchemaRef{s.Then, s.Else} {
		if s.If != nil && b != nil && b.Value != nil {
			for _, r := range b.Value.Required {
				required[r] = true
			}
		}
	}
	obj := &object{}
	type built struct {
		name     string
		restOnly bool
		deps     []string
	}
	var meta []built
	for _, name := range propertyOrder(s) {
		ref := s.Properties[name]
		pv := v.sub(name, ref)
		restOnly := pv.flag(extRestOnly)
		omit := 0.0
		switch {
		case required[name]:
		case c.sparse():
			continue
		case c.full():
		case restOnly && !c.rest:
			continue
		default:
			p, err := pv.percent(extOmit, 0)
			if err != nil {
				return nil, err
			}
			omit = p
		}
		if omit >= 100 {
			continue
		}
		before := len(c.refs)
		pn, err := c.compile(pv, path+"/"+name)
		if err != nil {
			return nil, err
		}
		var deps []string
		for _, t := range c.refs[before:] {
			if sib, ok := strings.CutPrefix(t, path+"/"); ok {
				sib, _, _ = strings.Cut(sib, "/")
				if sib != name {
					deps = append(deps, sib)
				}
			}
		}
		prop := property{key: append(appendString(nil, name), ':'), writer: pn, omit: omit, path: path + "/" + name}
		if r, ok := pn.(*record); ok {
			prop.slot = r.slot + 1
		}
		obj.props = append(obj.props, prop)
		meta = append(meta, built{name: name, restOnly: restOnly, deps: deps})
	}
	// Generation order: dependencies first, then document order; x-rest-only
	// properties last, so that a record's REST form and its webhook form draw
	// the same values for the properties they share.
	index := map[string]int{}
	for i, m := range meta {
		index[m.name] = i
	}
	order := make([]int, 0, len(meta))
	done := make([]bool, len(meta))
	var visit func(i int, seen []bool) error
	visit = func(i int, seen []bool) error {
		if done[i] {
			return nil
		}
		if seen[i] {
			return v.errorf("properties refer to each other in a circle (%s)", meta[i].name)
		}
		seen[i] = true
		for _, d := range meta[i].deps {
			if j, ok := index[d]; ok {
				if err := visit(j, seen); err != nil {
					return err
				}
			}
		}
		done[i] = true
		order = append(order, i)
		return nil
	}
	for _, restPass := range []bool{false, true} {
		for i, m := range meta {
			if m.restOnly == restPass {
				if err := visit(i, make([]bool, len(meta))); err != nil {
					return nil, err
				}
			}
		}
	}
	for i, o := range order {
		if o != i {
			obj.order = order
			break
		}
	}

	// A map's generated keys: from additionalProperties, or else from the
	// first of patternProperties, with keys that match its pattern. Sparse
	// writes only as many as minProperties needs.
	need := int(s.MinProps) - len(obj.props)
	ap, keyPattern := s.AdditionalProperties.Schema, ""
	if ap == nil && len(s.PatternProperties) > 0 {
		keyPattern = slices.Sorted(maps.Keys(s.PatternProperties))[0]
		ap = s.PatternProperties[keyPattern]
	}
	if ap != nil && (!c.sparse() || need > 0) {
		e, err := c.entries(v, ap, path, keyPattern)
		if err != nil {
			return nil, err
		}
		if c.sparse() {
			e.n = counts{min: need, max: need}
		} else if e.n.min < need && len(e.n.values) == 0 {
			e.n.min, e.n.max = need, max(e.n.max, need)
		}
		obj.extra = e
	}
	if obj.unknownKeys = c.unknownKeys(v); obj.unknownKeys != nil {
		obj.unknown = 50
		if path == "" {
			obj.unknown = 100
		}
	}
	var out writer = obj
	if len(s.Properties) == 0 && s.AdditionalProperties.Schema == nil && len(s.PatternProperties) == 0 {
		// A free-form object: an example or a pick says what it holds.
		if c.sparse() {
			return raw("{}"), nil
		}
		if ex := v.examples(); len(ex) > 0 {
			var kept []any
			for _, e := range ex {
				if !c.full() || !isEmptyValue(e) {
					kept = append(kept, e)
				}
			}
			if len(kept) > 0 {
				n, err := c.pickValues(v, kept)
				if err != nil {
					return nil, err
				}
				out = n
			}
		}
	}
	if len(s.Required) == 0 && s.MinProps == 0 {
		return c.maybeEmpty(v, out, "{}")
	}
	return out, nil
}

// entries compiles the generated keys of a map.
func (c *compiler) entries(v view, ap *openapi3.SchemaRef, path, keyPattern string) (*entries, error) {
	e := &entries{n: counts{min: 1, max: 2}}
	if c.full() {
		e.n = counts{min: 1, max: 1}
	}
	values, weights, err := v.weights(extItems)
	if err != nil {
		return nil, err
	}
	if len(values) > 0 && !c.full() {
		e.n = counts{values: values, weights: weights}
		for _, w := range weights {
			e.n.total += w
		}
	}
	if c.shape == Crowded && !c.minimal {
		k := crowd
		if v.s.MaxProps != nil {
			k = min(k, int(*v.s.MaxProps)-len(v.s.Properties))
		}
		k = max(k, 1)
		e.n = counts{min: k, max: k}
		c.varied = c.varied || k > 1
	}
	keys, err := c.keyGenerators(v, path)
	if err != nil {
		return nil, err
	}
	if keyPattern != "" && !v.has(extKey) {
		keys = []genFunc{patternFunc(keyPattern)}
	}
	e.keys = keys
	c.mapDepth++
	val, err := c.compile(viewOf(ap, overlayAt(v.over, "additionalProperties"), v.path+".*"), path+"/*")
	c.mapDepth--
	if err != nil {
		return nil, err
	}
	e.value = val
	return e, nil
}

// keyGenerators compiles x-faker-key: one generator name, or a list of
// them, the i-th making the i-th key and the last making the rest. Without
// it, keys are words.
func (c *compiler) keyGenerators(v view, path string) ([]genFunc, error) {
	x, ok := v.get(extKey)
	if !ok {
		return []genFunc{func(s *state, b []byte) []byte { return appendString(b, s.fk.Word()) }}, nil
	}
	var names []string
	switch k := x.(type) {
	case string:
		names = []string{k}
	case []any:
		for _, e := range k {
			name, isStr := e.(string)
			if !isStr {
				return nil, v.errorf("%s must be a generator name or a list of them, got %v", extKey, e)
			}
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, v.errorf("%s must be a generator name or a non-empty list of them, got %v", extKey, x)
	}
	keys := make([]genFunc, 0, len(names))
	for _, name := range names {
		n, err := c.faker(v, name, path+"/*")
		if err != nil {
			return nil, err
		}
		g, isFn := n.(fn)
		if !isFn {
			return nil, v.errorf("%s %q is not a plain generator", extKey, name)
		}
		keys = append(keys, genFunc(g))
	}
	return keys, nil
}

// propertyOrder returns the properties in the order the document writes
// them (kin-openapi keeps them in a map; the loader records where each
// came from), then by name.
func propertyOrder(s *openapi3.Schema) []string {
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	line := func(n string) (string, int, int) {
		if o := s.Properties[n].Origin; o != nil && o.Key != nil {
			return o.Key.File, o.Key.Line, o.Key.Column
		}
		return "", math.MaxInt, 0
	}
	slices.SortFunc(names, func(a, b string) int {
		fa, la, ca := line(a)
		fb, lb, cb := line(b)
		switch {
		case fa != fb:
			return strings.Compare(fa, fb)
		case la != lb:
			return la - lb
		case ca != cb:
			return ca - cb
		}
		return strings.Compare(a, b)
	})
	return names
}

// nullableParts reports whether v admits null, and returns the view of its
// non-null part: the schema less "null" in its types, or the one non-null
// branch of anyOf/oneOf.
func nullableParts(v view) (bool, view) {
	if c, ok := v.constant(); ok {
		return c == nil, v
	}
	types := v.types()
	if slices.Contains(types, "null") {
		s := *v.s
		t := openapi3.Types(slices.DeleteFunc(slices.Clone(types), func(t string) bool { return t == "null" }))
		s.Type = &t
		s.Nullable = false
		v.s = &s
		return true, v
	}
	for _, alts := range []openapi3.SchemaRefs{v.s.AnyOf, v.s.OneOf} {
		var rest []*openapi3.SchemaRef
		null := false
		for _, a := range alts {
			if a != nil && a.Value != nil && a.Value.Type != nil && a.Value.Type.Is("null") {
				null = true
				continue
			}
			rest = append(rest, a)
		}
		if null && len(rest) == 1 {
			inner := viewOf(rest[0], v.over, v.path)
			// The hints beside the anyOf apply to the branch.
			inner.refExt = mergeExt(rest[0].Extensions, mergeExt(v.s.Extensions, v.refExt))
			return true, inner
		}
		if null {
			s := *v.s
			if len(v.s.AnyOf) > 0 && &alts[0] == &v.s.AnyOf[0] {
				s.AnyOf = rest
			} else {
				s.OneOf = rest
			}
			v.s = &s
			return true, v
		}
	}
	return false, v
}

func mergeExt(base, top map[string]any) map[string]any {
	if len(top) == 0 {
		return base
	}
	out := make(map[string]any, len(base)+len(top))
	for k, x := range base {
		out[k] = x
	}
	for k, x := range top {
		out[k] = x
	}
	return out
}

// branches returns the alternatives of oneOf or anyOf.
func branches(v view) []*openapi3.SchemaRef {
	if len(v.s.OneOf) > 0 {
		return v.s.OneOf
	}
	return v.s.AnyOf
}

// mergeAllOf folds allOf into one schema, as the validator reads it: every
// branch holds. Properties and required are united, and a property that
// several branches define becomes the allOf of its definitions (a webhook
// pinning an envelope's shared type enum with a const); types and enums are
// intersected, bounds tightened, additionalProperties: false kept, and for
// the keywords that cannot be combined (format, pattern, const) the first
// branch to set one sets it.
func (c *compiler) mergeAllOf(v view) (*openapi3.Schema, error) {
	out := *v.s
	out.AllOf = nil
	out.Properties = openapi3.Schemas{}
	for k, p := range v.s.Properties {
		out.Properties[k] = p
	}
	out.PatternProperties = maps.Clone(v.s.PatternProperties)
	out.Extensions = mergeExt(nil, v.s.Extensions)
	for _, b := range v.s.AllOf {
		if b == nil || b.Value == nil {
			continue
		}
		bs := b.Value
		if len(bs.AllOf) > 0 {
			m, err := c.mergeAllOf(viewOf(b, nil, v.path))
			if err != nil {
				return nil, err
			}
			bs = m
		}
		for k, p := range bs.Properties {
			if prev, ok := out.Properties[k]; !ok {
				out.Properties[k] = p
			} else if prev != p {
				out.Properties[k] = c.both(prev, p)
			}
		}
		for k, p := range bs.PatternProperties {
			if out.PatternProperties == nil {
				out.PatternProperties = openapi3.Schemas{}
			}
			if prev, ok := out.PatternProperties[k]; !ok {
				out.PatternProperties[k] = p
			} else if prev != p {
				out.PatternProperties[k] = c.both(prev, p)
			}
		}
		for _, r := range bs.Required {
			if !slices.Contains(out.Required, r) {
				out.Required = append(out.Required, r)
			}
		}
		mergeTypes(&out, bs)
		if out.Format == "" {
			out.Format = bs.Format
		}
		if out.Pattern == "" {
			out.Pattern = bs.Pattern
		}
		if out.Const == nil {
			out.Const = bs.Const
		}
		switch {
		case len(out.Enum) == 0:
			out.Enum = bs.Enum
		case len(bs.Enum) > 0:
			var common []any
			for _, e := range out.Enum {
				if slices.ContainsFunc(bs.Enum, func(x any) bool { return jsonEqual(x, e) }) {
					common = append(common, e)
				}
			}
			out.Enum = common
		}
		switch {
		case out.Items == nil:
			out.Items = bs.Items
		case bs.Items != nil && bs.Items != out.Items:
			out.Items = c.both(out.Items, bs.Items)
		}
		if len(out.PrefixItems) == 0 {
			out.PrefixItems = bs.PrefixItems
		}
		out.Min = tighter(out.Min, bs.Min, math.Max)
		out.Max = tighter(out.Max, bs.Max, math.Min)
		if out.ExclusiveMin.Value == nil && out.ExclusiveMin.Bool == nil {
			out.ExclusiveMin = bs.ExclusiveMin
		}
		if out.ExclusiveMax.Value == nil && out.ExclusiveMax.Bool == nil {
			out.ExclusiveMax = bs.ExclusiveMax
		}
		if out.MultipleOf == nil {
			out.MultipleOf = bs.MultipleOf
		}
		out.MinLength = max(out.MinLength, bs.MinLength)
		out.MaxLength = tighterUint(out.MaxLength, bs.MaxLength)
		out.MinItems = max(out.MinItems, bs.MinItems)
		out.MaxItems = tighterUint(out.MaxItems, bs.MaxItems)
		out.MinProps = max(out.MinProps, bs.MinProps)
		out.MaxProps = tighterUint(out.MaxProps, bs.MaxProps)
		out.UniqueItems = out.UniqueItems || bs.UniqueItems
		switch ap, bp := out.AdditionalProperties, bs.AdditionalProperties; {
		case ap.Has == nil && ap.Schema == nil:
			out.AdditionalProperties = bp
		case bp.Has != nil && !*bp.Has:
			out.AdditionalProperties = bp
		case ap.Schema != nil && bp.Schema != nil && ap.Schema != bp.Schema:
			out.AdditionalProperties = openapi3.AdditionalProperties{Schema: c.both(ap.Schema, bp.Schema)}
		}
		if out.If == nil {
			out.If, out.Then, out.Else = bs.If, bs.Then, bs.Else
		}
		if len(out.OneOf) == 0 {
			out.OneOf = bs.OneOf
		}
		if len(out.AnyOf) == 0 {
			out.AnyOf = bs.AnyOf
		}
		if out.Discriminator == nil {
			out.Discriminator = bs.Discriminator
		}
		for k, x := range bs.Extensions {
			if _, ok := out.Extensions[k]; !ok {
				out.Extensions[k] = x
			}
		}
		out.Examples = append(out.Examples, bs.Examples...)
	}
	// An enum or const without null rules null out, whatever the types say.
	if (len(out.Enum) > 0 && !slices.Contains(out.Enum, nil) || out.Const != nil) && out.Type != nil && (out.Nullable || out.Type.Includes("null")) {
		ts := openapi3.Types(slices.DeleteFunc(slices.Clone(out.Type.Slice()), func(t string) bool { return t == "null" }))
		out.Type, out.Nullable = &ts, false
	}
	return &out, nil
}

// both returns the schema that a and b must both hold: their allOf, the
// same one for the same pair, so that recursion through it is seen. It
// keeps a's origin (the order of properties) and a's hints beside b's.
func (c *compiler) both(a, b *openapi3.SchemaRef) *openapi3.SchemaRef {
	key := [2]*openapi3.SchemaRef{a, b}
	if r, ok := c.pairs[key]; ok {
		return r
	}
	if c.pairs == nil {
		c.pairs = map[[2]*openapi3.SchemaRef]*openapi3.SchemaRef{}
	}
	r := &openapi3.SchemaRef{
		Value:      &openapi3.Schema{AllOf: openapi3.SchemaRefs{a, b}},
		Origin:     a.Origin,
		Extensions: mergeExt(b.Extensions, a.Extensions),
	}
	c.pairs[key] = r
	return r
}

// mergeTypes narrows out's types (nullable included) to those bs allows too.
func mergeTypes(out, bs *openapi3.Schema) {
	if bs.Type == nil {
		return
	}
	if out.Type == nil {
		out.Type, out.Nullable = bs.Type, bs.Nullable
		return
	}
	allowed := func(s *openapi3.Schema, t string) bool {
		switch {
		case s.Type.Includes(t):
			return true
		case t == "null":
			return s.Nullable
		case t == "integer":
			return s.Type.Includes("number")
		}
		return false
	}
	var ts openapi3.Types
	for _, t := range append(slices.Clone(out.Type.Slice()), "null") {
		if t == "null" && (slices.Contains(ts, "null") || !out.Nullable && !out.Type.Includes("null")) {
			continue
		}
		if allowed(bs, t) {
			ts = append(ts, t)
		}
	}
	if !slices.Contains(ts, "integer") && out.Type.Includes("number") && bs.Type.Includes("integer") {
		ts = append(ts, "integer")
	}
	out.Type, out.Nullable = &ts, false
}

func tighter(a, b *float64, pick func(x, y float64) float64) *float64 {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	x := pick(*a, *b)
	return &x
}

func tighterUint(a, b *uint64) *uint64 {
	switch {
	case a == nil:
		return b
	case b == nil || *a <= *b:
		return a
	}
	return b
}

func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

func hasHints(v view) bool {
	for _, m := range []map[string]any{v.over, v.refExt, v.s.Extensions} {
		for k := range m {
			if strings.HasPrefix(k, "x-faker") || k == extSameAs {
				return true
			}
		}
	}
	return false
}

func rawJSON(x any, v view) (writer, error) {
	b, err := json.Marshal(x)
	if err != nil {
		return nil, v.errorf("a value that is not JSON: %v", err)
	}
	return raw(b), nil
}

func nonNullValues(list []any) []any {
	var out []any
	for _, e := range list {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

func stringValues(list []any) []any {
	var out []any
	for _, e := range list {
		if _, ok := e.(string); ok {
			out = append(out, e)
		}
	}
	return out
}

func isEmptyValue(x any) bool {
	switch e := x.(type) {
	case nil:
		return true
	case string:
		return e == ""
	case map[string]any:
		return len(e) == 0
	case []any:
		return len(e) == 0
	}
	return false
}

func emptyOf(v view) string {
	switch t := v.types(); {
	case slices.Contains(t, "object"):
		return "{}"
	case slices.Contains(t, "array"):
		return "[]"
	}
	return `""`
}

func countOf(stack []*openapi3.Schema, s *openapi3.Schema) int {
	n := 0
	for _, x := range stack {
		if x == s {
			n++
		}
	}
	return n
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, x := range m {
		out[k] = x
	}
	return out
}

// viewWithout returns v with over as its overlay and without x-same-as
// from the schema or the $ref, for the fallback of a same-as value.
func viewWithout(v view, over map[string]any) view {
	v.over = over
	if _, ok := v.refExt[extSameAs]; ok {
		v.refExt = cloneMap(v.refExt)
		delete(v.refExt, extSameAs)
	}
	if _, ok := v.s.Extensions[extSameAs]; ok {
		s := *v.s
		s.Extensions = cloneMap(s.Extensions)
		delete(s.Extensions, extSameAs)
		v.s = &s
	}
	return v
}

// datePattern reports whether pattern admits dates of the form YYYY-MM-DD,
// as far apart as the generator's, so that a date may stand for it.
func datePattern(pattern string) bool {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return false
	}
	for _, d := range []string{"2019-03-07", "2031-11-28", "2000-01-01", "2099-12-31"} {
		if !re.MatchString(d) {
			return false
		}
	}
	return true
}
