package openapi

import (
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// IdentityExtension is the vendor extension that marks a property as one
// that identifies the event's record, e.g. `x-identity: true` on the user
// record's userId. A receiver refuses a payload whose identifying
// properties are missing or of the wrong JSON type, since it cannot tell
// which record the event is about, and tolerates every other difference
// from the schema. The mark goes in the record's component schema, so that
// every event of that model shares it.
const IdentityExtension = "x-identity"

// identityDepth bounds the walk for marks through nested object schemas.
const identityDepth = 8

// identity is one identifying property of an event: where it is, and the
// JSON types its schema allows (nil: any).
type identity struct {
	pointer string
	types   []string
}

// identitiesOf finds the properties of s, at any depth of nested object
// properties (following $ref), that are marked `x-identity: true`, sorted
// by JSON pointer. Marks inside arrays, maps (additionalProperties) and
// anyOf, oneOf or allOf branches do not count, and a marked property's own
// properties are not searched.
func identitiesOf(s *openapi3.Schema) []identity {
	var out []identity
	// The pointer is written only for a marked property: writing one for
	// each property walked, and sorting their names, took a fortieth of
	// the load of a 300-webhook document (issue 13). The order of the walk
	// does not matter: out is sorted at the end, and no two paths share a
	// pointer.
	var walk func(s *openapi3.Schema, path []string, depth int, seen []*openapi3.Schema)
	walk = func(s *openapi3.Schema, path []string, depth int, seen []*openapi3.Schema) {
		if s == nil || depth > identityDepth || slices.Contains(seen, s) {
			return
		}
		seen = append(seen, s)
		for name, ref := range s.Properties {
			if ref == nil {
				continue
			}
			p := append(path, name)
			if isMarked(ref.Extensions, IdentityExtension) || (ref.Value != nil && isMarked(ref.Value.Extensions, IdentityExtension)) {
				id := identity{pointer: pointer(p...)}
				if ref.Value != nil && ref.Value.Type != nil {
					id.types = slices.Clone(ref.Value.Type.Slice())
				}
				out = append(out, id)
				continue
			}
			walk(ref.Value, p, depth+1, seen)
		}
	}
	walk(s, nil, 0, nil)
	sort.SliceStable(out, func(i, j int) bool { return out[i].pointer < out[j].pointer })
	return out
}

// isMarked reports whether ext sets the extension name to true.
func isMarked(ext map[string]any, name string) bool {
	v, ok := ext[name].(bool)
	return ok && v
}

// Identity returns the JSON pointers of the properties that identify the
// event's record, sorted, e.g. ["/record/userId"]: those that the schema
// marks `x-identity: true` (see IdentityExtension). It returns nil when none
// is marked: the envelope alone then identifies the event.
func (e Event) Identity() []string {
	if e.identities == nil {
		return nil
	}
	out := make([]string, len(*e.identities))
	for i, id := range *e.identities {
		out[i] = id.pointer
	}
	return out
}

// Identify reads the record's identity from v, a payload of the event
// decoded by DecodeJSON: the values at the event's Identity pointers, as
// text (a string as it is, a number as written), joined with "/" when there
// are several. It returns one Problem per identifying property that is
// missing (rule "required") or whose JSON type its schema does not allow
// (rule "type"); id is "" when there is any. An event with no identifying
// property is identified by its envelope alone: Identify returns "" and no
// problem.
func (e Event) Identify(v any) (id string, problems []Problem) {
	if e.identities == nil {
		return "", nil
	}
	ids := *e.identities
	parts := make([]string, 0, len(ids))
	for _, ident := range ids {
		val, ok := resolve(v, ident.pointer)
		if !ok {
			problems = append(problems, Problem{Path: ident.pointer, Keyword: "required",
				Message: "missing: the record's " + lastToken(ident.pointer) + " identifies it, and every " + e.Name + " webhook carries it"})
			continue
		}
		kind := jsonType(val)
		if len(ident.types) > 0 && !typeAllows(ident.types, kind) {
			problems = append(problems, Problem{Path: ident.pointer, Keyword: "type",
				Message: "got " + kind + ", want " + strings.Join(ident.types, " or ")})
			continue
		}
		parts = append(parts, idText(val))
	}
	if len(problems) > 0 {
		return "", problems
	}
	return strings.Join(parts, "/"), nil
}

// resolve follows a JSON pointer of object keys through v.
func resolve(v any, pointer string) (any, bool) {
	rest := pointer
	for rest != "" {
		rest = rest[1:] // the leading slash
		tok := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			tok, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if strings.IndexByte(tok, '~') >= 0 {
			tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		}
		if v, ok = obj[tok]; !ok {
			return nil, false
		}
	}
	return v, true
}

// lastToken is the last token of a JSON pointer, unescaped.
func lastToken(pointer string) string {
	tok := pointer[strings.LastIndexByte(pointer, '/')+1:]
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
}

// jsonType names the JSON type of a value decoded by DecodeJSON (or by
// encoding/json into any), with "integer" for a whole number.
func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if isInteger(x.String()) {
			return "integer"
		}
		return "number"
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return "integer"
		}
		return "number"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "unknown"
}

// isInteger reports whether a JSON number is a whole number, as JSON Schema
// counts them (1.0 is one).
func isInteger(n string) bool {
	if _, err := strconv.ParseInt(n, 10, 64); err == nil {
		return true
	}
	f, err := strconv.ParseFloat(n, 64)
	return err == nil && f == math.Trunc(f) && !math.IsInf(f, 0)
}

// typeAllows reports whether the schema types allow a value of JSON type
// kind; "number" allows integers too.
func typeAllows(types []string, kind string) bool {
	for _, t := range types {
		if t == kind || t == "number" && kind == "integer" {
			return true
		}
	}
	return false
}

// idText is an identifying value as text.
func idText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
