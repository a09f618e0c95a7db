package openapi

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// ErrUnsatisfiable means a webhook's request schema admits no payload: a
// part that every payload must have contradicts itself (minLength above
// maxLength, an allOf of a string and an integer, two different consts…).
var ErrUnsatisfiable = errors.New("schema cannot be satisfied")

// Declined is a webhook of the document that ufhook leaves out, because no
// payload can satisfy its schema. The other webhooks run; naming a declined
// one (Lookup) gives its reason.
type Declined struct {
	// Event is the webhook's name.
	Event string `json:"event"`
	// Place is where the contradiction is written, "file:line: /pointer"
	// (the pointer in the document, or in the file a $ref leads to).
	Place string `json:"place"`
	// Path is the JSON pointer, in the payload, of the value that cannot
	// be written, e.g. "/data/code"; "" is the whole payload.
	Path string `json:"path"`
	// Reason says what contradicts what.
	Reason string `json:"reason"`
}

// Error says what is declined, where, why, and what to do.
func (d Declined) Error() string {
	path := d.Path
	if path == "" {
		path = "(the whole payload)"
	}
	return fmt.Sprintf("%s: webhook %q: %s: %s (every payload must have %s): fix the schema, or leave the webhook out; ufhook runs the others", d.Place, d.Event, ErrUnsatisfiable, d.Reason, path)
}

// Unwrap makes errors.Is(err, ErrUnsatisfiable) true.
func (d Declined) Unwrap() error { return ErrUnsatisfiable }

// DeclinedEvents lists the webhooks of the document in use that ufhook
// leaves out, in document order.
func DeclinedEvents() []Declined {
	c, err := loaded()
	if err != nil {
		return nil
	}
	return slices.Clone(c.declined)
}

// part is one schema that a value must satisfy, with its place in the
// document.
type part struct {
	s   *openapi3.Schema
	ptr string // JSON pointer in the document
}

// satisfiability finds a contradiction in what every payload of a schema
// must hold.
type satisfiability struct {
	seen map[string]bool // groups of schemas being checked, against recursion
}

// unsatisfiable returns the first contradiction in the schema at ptr (in
// the document) of ev, or nil.
func unsatisfiable(ev Event) *Declined {
	var sat satisfiability
	sat.seen = map[string]bool{}
	return sat.check(flatten(openapi3.NewSchemaRef("", ev.Schema), ev.op.pointer, 0), "", 0)
}

// flatten lists the schema of ref and, recursively, of its allOf, each a
// part every value must satisfy.
func flatten(ref *openapi3.SchemaRef, ptr string, depth int) []part {
	if ref == nil || ref.Value == nil || depth > 32 {
		return nil
	}
	if strings.HasPrefix(ref.Ref, "#/") {
		ptr = ref.Ref[1:]
	}
	out := []part{{ref.Value, ptr}}
	for i, sub := range ref.Value.AllOf {
		out = append(out, flatten(sub, fmt.Sprintf("%s/allOf/%d", ptr, i), depth+1)...)
	}
	return out
}

// check looks for a contradiction among parts, all of which a value at the
// payload pointer path must satisfy.
func (sat *satisfiability) check(parts []part, path string, depth int) *Declined {
	if len(parts) == 0 || depth > 64 {
		return nil
	}
	key := make([]string, len(parts))
	for i, p := range parts {
		key[i] = fmt.Sprintf("%p", p.s)
	}
	k := strings.Join(key, ",")
	if sat.seen[k] {
		return nil // a recursive schema: its first visit decides
	}
	sat.seen[k] = true
	defer delete(sat.seen, k)

	fail := func(p part, reason string, args ...any) *Declined {
		return &Declined{Place: p.ptr, Path: path, Reason: fmt.Sprintf(reason, args...)}
	}
	var (
		types     = []string{"array", "boolean", "integer", "null", "number", "object", "string"}
		typesFrom part
		constant  any
		constFrom *part
		m         bounds
	)
	for _, p := range parts {
		s := p.s
		if s.Always != nil && !*s.Always {
			return fail(p, "the schema is false, which nothing satisfies")
		}
		if s.Type != nil && len(*s.Type) > 0 {
			next := intersectTypes(types, *s.Type)
			if len(next) == 0 {
				return fail(p, "it must be of type %s here and of type %s at %s", strings.Join(*s.Type, " or "), strings.Join(types, " or "), typesFrom.ptr)
			}
			types, typesFrom = next, p
		}
		if s.Const != nil {
			if constFrom != nil && fmt.Sprint(constFrom.s.Const) != fmt.Sprint(s.Const) {
				return fail(p, "it must be const %v here and const %v at %s", s.Const, constant, constFrom.ptr)
			}
			pp := p
			constant, constFrom = s.Const, &pp
		}
		if s.Enum != nil && len(s.Enum) == 0 {
			return fail(p, "its enum is empty")
		}
		m.add(p)
	}
	if constFrom != nil {
		if t := jsonType(constant); t != "unknown" && len(intersectTypes(types, []string{t})) == 0 {
			return fail(*constFrom, "its const %v is a %s, and it must be of type %s", constant, t, strings.Join(types, " or "))
		}
		for _, p := range parts {
			if p.s.Enum != nil && !slices.ContainsFunc(p.s.Enum, func(v any) bool { return fmt.Sprint(v) == fmt.Sprint(constant) }) {
				return fail(p, "its enum does not hold the const %v of %s", constant, constFrom.ptr)
			}
		}
	}
	only := func(t ...string) bool {
		for _, have := range types {
			if !slices.Contains(t, have) {
				return false
			}
		}
		return true
	}
	if d := m.contradiction(only, fail); d != nil {
		return d
	}
	for _, p := range parts {
		for _, alt := range [][]*openapi3.SchemaRef{p.s.OneOf, p.s.AnyOf} {
			if len(alt) == 0 {
				continue
			}
			var first *Declined
			ok := false
			for i, sub := range alt {
				kw := "oneOf"
				if len(p.s.OneOf) == 0 || &alt[0] != &p.s.OneOf[0] {
					kw = "anyOf"
				}
				d := sat.check(append(slices.Clone(parts), flatten(sub, fmt.Sprintf("%s/%s/%d", p.ptr, kw, i), 0)...), path, depth+1)
				if d == nil {
					ok = true
					break
				}
				if first == nil {
					first = d
				}
			}
			if !ok && first != nil {
				first.Reason = "no branch of its oneOf or anyOf can be satisfied; the first: " + first.Reason
				return first
			}
		}
	}
	if only("object") {
		if d := sat.properties(parts, path, depth, fail); d != nil {
			return d
		}
	}
	if only("array") && m.minItems.v > 0 {
		var items []part
		for _, p := range parts {
			items = append(items, flatten(p.s.Items, p.ptr+"/items", 0)...)
		}
		if d := sat.check(items, path+"/0", depth+1); d != nil {
			return d
		}
	}
	return nil
}

// properties checks the required properties of an object that every part
// describes.
func (sat *satisfiability) properties(parts []part, path string, depth int, fail func(part, string, ...any) *Declined) *Declined {
	var required []string
	for _, p := range parts {
		for _, r := range p.s.Required {
			if !slices.Contains(required, r) {
				required = append(required, r)
			}
		}
	}
	for _, name := range required {
		var group []part
		for _, p := range parts {
			if sub := p.s.Properties[name]; sub != nil {
				group = append(group, flatten(sub, p.ptr+pointer("properties", name), 0)...)
				continue
			}
			ap := p.s.AdditionalProperties
			if ap.Has != nil && !*ap.Has && len(p.s.PatternProperties) == 0 {
				return fail(p, "property %q is required, and additionalProperties: false with no property %q forbids it", name, name)
			}
			if ap.Schema != nil {
				group = append(group, flatten(ap.Schema, p.ptr+"/additionalProperties", 0)...)
			}
		}
		if d := sat.check(group, path+pointer(name), depth+1); d != nil {
			return d
		}
	}
	return nil
}

// bound is the tightest of one limit over several parts, with the part
// that set it.
type bound struct {
	v    float64
	set  bool
	from part
}

// bounds are the limits of a value over all its parts.
type bounds struct {
	minLength, maxLength, minItems, maxItems, minProps, maxProps bound
	minimum, maximum                                             bound
	minExcl, maxExcl                                             bool
}

// add tightens b by the limits of p.
func (b *bounds) add(p part) {
	s := p.s
	lower := func(x *bound, v float64) {
		if !x.set || v > x.v {
			*x = bound{v, true, p}
		}
	}
	upper := func(x *bound, v float64) {
		if !x.set || v < x.v {
			*x = bound{v, true, p}
		}
	}
	lower(&b.minLength, float64(s.MinLength))
	if s.MaxLength != nil {
		upper(&b.maxLength, float64(*s.MaxLength))
	}
	lower(&b.minItems, float64(s.MinItems))
	if s.MaxItems != nil {
		upper(&b.maxItems, float64(*s.MaxItems))
	}
	lower(&b.minProps, float64(s.MinProps))
	if s.MaxProps != nil {
		upper(&b.maxProps, float64(*s.MaxProps))
	}
	lower(&b.minProps, float64(len(s.Required)))
	if s.Min != nil {
		if !b.minimum.set || *s.Min >= b.minimum.v {
			b.minExcl = b.minExcl && *s.Min == b.minimum.v || s.ExclusiveMin.IsTrue()
			b.minimum = bound{*s.Min, true, p}
		}
	}
	if v := s.ExclusiveMin.Value; v != nil && (!b.minimum.set || *v >= b.minimum.v) {
		b.minimum, b.minExcl = bound{*v, true, p}, true
	}
	if s.Max != nil {
		if !b.maximum.set || *s.Max <= b.maximum.v {
			b.maxExcl = b.maxExcl && *s.Max == b.maximum.v || s.ExclusiveMax.IsTrue()
			b.maximum = bound{*s.Max, true, p}
		}
	}
	if v := s.ExclusiveMax.Value; v != nil && (!b.maximum.set || *v <= b.maximum.v) {
		b.maximum, b.maxExcl = bound{*v, true, p}, true
	}
}

// contradiction returns a limit that another contradicts, for the types a
// value may have (only reports whether it may have only those).
func (b *bounds) contradiction(only func(...string) bool, fail func(part, string, ...any) *Declined) *Declined {
	pair := func(lo, hi bound, what string) *Declined {
		if lo.set && hi.set && lo.v > hi.v {
			return fail(lo.from, "min%s %v is above max%s %v (at %s)", what, lo.v, what, hi.v, hi.from.ptr)
		}
		return nil
	}
	if only("string") {
		if d := pair(b.minLength, b.maxLength, "Length"); d != nil {
			return d
		}
	}
	if only("array") {
		if d := pair(b.minItems, b.maxItems, "Items"); d != nil {
			return d
		}
	}
	if only("object") {
		if d := pair(b.minProps, b.maxProps, "Properties"); d != nil {
			return d
		}
	}
	if only("integer", "number") && b.minimum.set && b.maximum.set {
		lo, hi := b.minimum.v, b.maximum.v
		if lo > hi || lo == hi && (b.minExcl || b.maxExcl) {
			return fail(b.minimum.from, "minimum %v is above maximum %v (at %s)", lo, hi, b.maximum.from.ptr)
		}
		if only("integer") && math.Floor(hi) < math.Ceil(lo) {
			return fail(b.minimum.from, "no integer lies between minimum %v and maximum %v (at %s)", lo, hi, b.maximum.from.ptr)
		}
	}
	return nil
}

// intersectTypes keeps the types of have that want allows (an integer is a
// number).
func intersectTypes(have, want []string) []string {
	var out []string
	for _, t := range have {
		if slices.Contains(want, t) || t == "integer" && slices.Contains(want, "number") {
			out = append(out, t)
		} else if t == "number" && slices.Contains(want, "integer") && !slices.Contains(out, "integer") {
			out = append(out, "integer")
		}
	}
	return out
}

// schemaPlace writes the place of the document pointer ptr, as
// "file:line: /pointer", from the document's own tree (root, read from
// source); a pointer into another file (a $ref internalised by the loader)
// is placed at the deepest node the document has.
func schemaPlace(doc *openapi3.T, root *yaml.Node, source, ptr string) string {
	_ = doc
	var tokens []string
	for _, tok := range strings.Split(ptr, "/")[1:] {
		tokens = append(tokens, strings.NewReplacer("~1", "/", "~0", "~").Replace(tok))
	}
	return placeOf(root, source, tokens...)
}
