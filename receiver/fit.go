package receiver

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"

	"github.com/ufhook/ufhook/openapi"
)

// A payload that breaks its schema may still hold values that do not fit
// the generated type: a string where a boolean goes, a date that is not
// RFC 3339. encoding/json gives up on the first date and reports only the
// first type error, so by default the handler makes the payload fit first:
// fit walks the generic form of the payload alongside the generated type,
// drops every value that the type cannot hold (the field keeps its zero
// value) and every key that encoding/json would read in place of a
// validated field of another spelling, and reports each as a warning. The
// walk uses reflection, and runs only for a payload that did not decode at
// once: a valid payload never reaches it.

var textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

// fit makes v, a value decoded by openapi.DecodeJSON, fit the Go type t. It
// changes v's objects and arrays in place and returns the value to encode
// again; keep is false when v itself does not fit and must be left out.
// Each value dropped adds one problem at its JSON pointer.
func fit(v any, t reflect.Type, path string, probs *[]openapi.Problem) (out any, keep bool) {
	if v == nil {
		return nil, true // null decodes into anything, as its zero value
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Map && t.Key().Kind() == reflect.Bool {
		// nullable.Nullable[T] is a map[bool]T holding T under true.
		return fit(v, t.Elem(), path, probs)
	}
	if custom(t) || t.Kind() == reflect.Array || t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
		return v, tryDecode(v, t, path, probs) // a leaf with its own decoding: time, UUID, email, bytes
	}
	switch t.Kind() {
	case reflect.Interface:
		return v, true
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, mismatch(v, "object", path, probs)
		}
		fs := fieldsOf(t)
		for key, val := range obj {
			p := path + "/" + escapePointer(key)
			if ft, ok := fs.types[key]; ok {
				if nv, keep := fit(val, ft, p, probs); keep {
					obj[key] = nv
				} else {
					delete(obj, key)
				}
				continue
			}
			if name := fs.foldMatch(key); name != "" {
				delete(obj, key)
				*probs = append(*probs, openapi.Problem{Path: p, Keyword: "key",
					Message: fmt.Sprintf("key %q differs from the field %q only in letter case: it is ignored, and the callback gets %q", key, name, name)})
			}
		}
		return obj, true
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, mismatch(v, "object", path, probs)
		}
		if t.Key().Kind() != reflect.String {
			return v, tryDecode(v, t, path, probs)
		}
		for key, val := range obj {
			if nv, keep := fit(val, t.Elem(), path+"/"+escapePointer(key), probs); keep {
				obj[key] = nv
			} else {
				delete(obj, key)
			}
		}
		return obj, true
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			return nil, mismatch(v, "array", path, probs)
		}
		for i, val := range arr {
			nv, keep := fit(val, t.Elem(), path+"/"+strconv.Itoa(i), probs)
			if !keep {
				nv = nil // the item keeps its place, as the zero value
			}
			arr[i] = nv
		}
		return arr, true
	case reflect.String:
		if _, ok := v.(string); ok && t != jsonNumberType {
			return v, true
		}
		if t == jsonNumberType {
			return v, tryDecode(v, t, path, probs)
		}
		return nil, mismatch(v, "string", path, probs)
	case reflect.Bool:
		if _, ok := v.(bool); ok {
			return v, true
		}
		return nil, mismatch(v, "boolean", path, probs)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n, ok := v.(json.Number); ok {
			if _, err := strconv.ParseInt(n.String(), 10, t.Bits()); err == nil {
				return v, true
			}
		}
		return nil, mismatch(v, fmt.Sprintf("an integer that fits %d bits", t.Bits()), path, probs)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n, ok := v.(json.Number); ok {
			if _, err := strconv.ParseUint(n.String(), 10, t.Bits()); err == nil {
				return v, true
			}
		}
		return nil, mismatch(v, fmt.Sprintf("an integer from 0 that fits %d bits", t.Bits()), path, probs)
	case reflect.Float32, reflect.Float64:
		if n, ok := v.(json.Number); ok {
			if _, err := strconv.ParseFloat(n.String(), t.Bits()); err == nil {
				return v, true
			}
		}
		return nil, mismatch(v, "number", path, probs)
	}
	return v, tryDecode(v, t, path, probs)
}

var jsonNumberType = reflect.TypeFor[json.Number]()

// custom reports whether t decodes itself, as encoding/json sees it.
func custom(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return pt.Implements(unmarshalerType) || pt.Implements(textUnmarshalerType)
}

// tryDecode reports whether v decodes into a new value of t, the way
// encoding/json would decode it in place, and adds a problem when it does
// not.
func tryDecode(v any, t reflect.Type, path string, probs *[]openapi.Problem) bool {
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, reflect.New(t).Interface())
	}
	if err == nil {
		return true
	}
	*probs = append(*probs, openapi.Problem{Path: path, Keyword: "format",
		Message: fmt.Sprintf("%s does not fit the generated type %s (%v): ignored, so the callback gets the zero value", excerpt(v), t, err)})
	return false
}

// mismatch adds the problem of a value of the wrong JSON type, and returns
// false, for fit's keep.
func mismatch(v any, want, path string, probs *[]openapi.Problem) bool {
	*probs = append(*probs, openapi.Problem{Path: path, Keyword: "type",
		Message: fmt.Sprintf("got %s %s, want %s: ignored, so the callback gets the zero value", jsonKindOf(v), excerpt(v), want)})
	return false
}

// jsonKindOf names the JSON type of a value decoded by openapi.DecodeJSON.
func jsonKindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		return "number"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

// excerpt shows a value in a problem, shortened.
func excerpt(v any) string {
	switch v.(type) {
	case map[string]any:
		return "{...}"
	case []any:
		return "[...]"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "(unprintable)"
	}
	if r := []rune(string(b)); len(r) > 40 {
		return string(r[:37]) + "..."
	}
	return string(b)
}
