package fake

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
)

// The vendor extensions that carry realism in a document. Go code knows no
// field of any provider's records: what makes a payload look real is said
// next to the schema, and the README documents each extension.
const (
	// extFaker names a generator: a gofakeit lookup name ("company",
	// "city"), one of ufhook's own (see fakers.go), or "NAME:ARGS".
	extFaker = "x-faker"
	// extTemplate is a string with {placeholders}: {number:A,B}, any
	// generator name, and {=REF}, the text of a value written elsewhere in
	// the payload, named as x-same-as names it.
	extTemplate = "x-faker-template"
	// extPick is a list of JSON values to choose from (repeat one to weigh
	// it). Arrays drawn from a pick list hold distinct values.
	extPick = "x-faker-pick"
	// extNull is the percentage of realistic payloads in which a nullable
	// value is null.
	extNull = "x-faker-null"
	// extEmpty is the percentage in which a string, object or array is
	// empty.
	extEmpty = "x-faker-empty"
	// extOmit is the percentage in which an optional property is left out.
	extOmit = "x-faker-omit"
	// extTrue is the percentage in which a boolean is true.
	extTrue = "x-faker-true"
	// extItems weighs the number of items of an array, or of keys of a map:
	// {"1": 70, "2": 30}.
	extItems = "x-faker-items"
	// extKey names the generator of a map's keys (additionalProperties).
	extKey = "x-faker-key"
	// extSameAs copies a value generated elsewhere in the same payload: a
	// sibling property ("userUuid"), a path into one
	// ("authentication/firstFactors/0"), or a JSON pointer from the
	// payload's root ("/mode").
	extSameAs = "x-same-as"
	// extVariants holds groups of weighted variants of an object. One
	// variant of each group is drawn per object, and its properties
	// overlay the schema's own keywords (const, examples, enum and the
	// x-faker extensions) for that object.
	extVariants = "x-faker-variants"
	// extUpdate lists the properties that an update of the record (see
	// Lifecycle) may change.
	extUpdate = "x-faker-update"
	// extTouch lists the timestamps of a record that an update moves on
	// (e.g. updatedAt).
	extTouch = "x-faker-touch"
	// extRestOnly marks a property that the provider's REST API returns
	// but its webhooks leave out.
	extRestOnly = "x-rest-only"
	// extOverlay, beside a $ref, overlays the referenced schema's keywords
	// and hints for this use of it, as a variant's properties do: e.g. the
	// record of a created event has a recent createdAt.
	extOverlay = "x-faker-overlay"
)

// view is a schema as the compiler sees it: the schema, the x- keys written
// beside the $ref that led to it, and the overlay of a variant, which win
// in the reverse order.
type view struct {
	s      *openapi3.Schema
	refExt map[string]any
	over   map[string]any
	// path names the schema in error messages, e.g.
	// "UserCreatedEvent.record.email".
	path string
}

func viewOf(ref *openapi3.SchemaRef, over map[string]any, path string) view {
	v := view{over: over, path: path}
	if ref != nil {
		v.s, v.refExt = ref.Value, ref.Extensions
		// An overlay beside the $ref applies under the one that the
		// enclosing schema carries down, which is more specific.
		if o, ok := ref.Extensions[extOverlay].(map[string]any); ok {
			v.over = mergeOverlay(o, over)
		}
	}
	if v.s == nil {
		v.s = &openapi3.Schema{}
	}
	return v
}

// get returns an x- extension or an overlaid keyword.
func (v view) get(key string) (any, bool) {
	if x, ok := v.over[key]; ok {
		return x, true
	}
	if x, ok := v.refExt[key]; ok {
		return x, true
	}
	x, ok := v.s.Extensions[key]
	return x, ok
}

func (v view) has(key string) bool { _, ok := v.get(key); return ok }

// str returns a string extension; a value of another type is an error.
func (v view) str(key string) (string, bool, error) {
	x, ok := v.get(key)
	if !ok {
		return "", false, nil
	}
	s, isStr := x.(string)
	if !isStr {
		return "", false, v.errorf("%s must be a string, got %v", key, x)
	}
	return s, true, nil
}

// percent returns a percentage extension, def when it is absent.
func (v view) percent(key string, def float64) (float64, error) {
	x, ok := v.get(key)
	if !ok {
		return def, nil
	}
	f, isNum := number(x)
	if !isNum || f < 0 || f > 100 {
		return 0, v.errorf("%s must be a percentage from 0 to 100, got %v", key, x)
	}
	return f, nil
}

func (v view) flag(key string) bool {
	x, _ := v.get(key)
	b, _ := x.(bool)
	return b
}

// constant returns the schema's const, or an overlaid one, which may be
// null.
func (v view) constant() (any, bool) {
	if x, ok := v.over["const"]; ok {
		return x, true
	}
	return v.s.Const, v.s.Const != nil
}

func (v view) enum() []any {
	if x, ok := v.over["enum"].([]any); ok {
		return x
	}
	return v.s.Enum
}

func (v view) examples() []any {
	if x, ok := v.over["examples"].([]any); ok {
		return x
	}
	return v.s.Examples
}

// sub returns the view of a property, carrying the overlay's
// properties.NAME down.
func (v view) sub(name string, ref *openapi3.SchemaRef) view {
	return viewOf(ref, overlayAt(v.over, "properties", name), v.path+"."+name)
}

// items returns the view of the array's items.
func (v view) items() view {
	var over map[string]any
	if m, ok := v.over["items"].(map[string]any); ok {
		over = m
	}
	return viewOf(v.s.Items, over, v.path+"[]")
}

func overlayAt(over map[string]any, keys ...string) map[string]any {
	cur := over
	for _, k := range keys {
		next, ok := cur[k].(map[string]any)
		if !ok {
			return nil
		}
		cur = next
	}
	return cur
}

// withOverlay lays over on top of the view's own overlay (over wins).
func (v view) withOverlay(over map[string]any) view {
	if len(over) == 0 {
		return v
	}
	v.over = mergeOverlay(v.over, over)
	return v
}

func mergeOverlay(base, top map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(top))
	for k, x := range base {
		out[k] = x
	}
	for k, x := range top {
		bm, bok := out[k].(map[string]any)
		tm, tok := x.(map[string]any)
		if bok && tok && !valueKeywords[k] {
			out[k] = mergeOverlay(bm, tm)
			continue
		}
		out[k] = x
	}
	return out
}

// valueKeywords hold values, which an overlay replaces whole; every other
// map in an overlay (properties, a property's overlay, items) merges.
var valueKeywords = map[string]bool{
	"const": true, "enum": true, "examples": true, "default": true,
	extPick: true, extItems: true, extVariants: true,
}

func (v view) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrBadHint, v.path, fmt.Sprintf(format, args...))
}

// types returns the JSON types the schema allows, "null" last.
func (v view) types() []string {
	var ts []string
	if v.s.Type != nil {
		ts = slices.Clone(v.s.Type.Slice())
	}
	if v.s.Nullable && !slices.Contains(ts, "null") {
		ts = append(ts, "null")
	}
	slices.SortStableFunc(ts, func(a, b string) int {
		switch {
		case a == "null" && b != "null":
			return 1
		case b == "null" && a != "null":
			return -1
		}
		return 0
	})
	return ts
}

func number(x any) (float64, bool) {
	switch n := x.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil && !math.IsNaN(f)
	}
	return 0, false
}

// weights reads {"1": 70, "2": 30} as counts and their weights, sorted by
// count.
func (v view) weights(key string) ([]int, []int, error) {
	x, ok := v.get(key)
	if !ok {
		return nil, nil, nil
	}
	m, isMap := x.(map[string]any)
	if !isMap || len(m) == 0 {
		return nil, nil, v.errorf(`%s must map counts to weights, e.g. {"1": 70, "2": 30}`, key)
	}
	type cw struct{ count, weight int }
	var all []cw
	for k, w := range m {
		c, err := strconv.Atoi(k)
		wf, isNum := number(w)
		if err != nil || c < 0 || !isNum || wf < 0 {
			return nil, nil, v.errorf(`%s must map counts to weights, e.g. {"1": 70, "2": 30}, got %q: %v`, key, k, w)
		}
		all = append(all, cw{c, int(wf)})
	}
	slices.SortFunc(all, func(a, b cw) int { return a.count - b.count })
	counts, ws := make([]int, len(all)), make([]int, len(all))
	for i, e := range all {
		counts[i], ws[i] = e.count, e.weight
	}
	return counts, ws, nil
}
