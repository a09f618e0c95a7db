package receiver

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// toTyped stores v, a value from parseJSON with plain true, into dst the way
// json.Unmarshal would store the body that v came from. It is a fast path:
// it reports false as soon as the outcome could differ from json.Unmarshal's
// (a type mismatch, a number out of range, a key that matches a field only
// when case is ignored, a leaf decoder's error, a shape it does not know),
// and the caller then decodes the body with encoding/json, which produces the
// exact value or error. dst may be partly written when it reports false.
//
// It may change v's containers in place (numbers under interface{} become
// float64, as encoding/json makes them), so v must not be used afterwards.
func toTyped(dst reflect.Value, v any) bool { return decoderFor(dst.Type())(dst, v) }

// decoderFunc stores a parsed value into a settable value of one type, or
// reports false (see toTyped).
type decoderFunc func(dst reflect.Value, v any) bool

var decoders sync.Map // reflect.Type -> decoderFunc

// decoderFor returns t's decoder, built once.
func decoderFor(t reflect.Type) decoderFunc {
	if d, ok := decoders.Load(t); ok {
		return d.(decoderFunc)
	}
	// A recursive type finds this indirection while its decoder is built.
	var built decoderFunc
	d, loaded := decoders.LoadOrStore(t, decoderFunc(func(dst reflect.Value, v any) bool { return built(dst, v) }))
	if loaded {
		return d.(decoderFunc)
	}
	built = buildDecoder(t)
	decoders.Store(t, built)
	return built
}

func buildDecoder(t reflect.Type) decoderFunc {
	null := nullStorer(t)
	withNull := func(d decoderFunc) decoderFunc {
		return func(dst reflect.Value, v any) bool {
			if v == nil {
				return null(dst, nil)
			}
			return d(dst, v)
		}
	}
	// Leaf decoders, checked in encoding/json's order: a pointer is filled
	// through, then Unmarshaler, then TextUnmarshaler (strings only).
	if t.Kind() == reflect.Pointer {
		elem := decoderFor(t.Elem())
		return withNull(func(dst reflect.Value, v any) bool {
			if dst.IsNil() {
				dst.Set(reflect.New(t.Elem()))
			}
			return elem(dst.Elem(), v)
		})
	}
	if t.Name() != "" {
		pt := reflect.PointerTo(t)
		if pt.Implements(unmarshalerType) {
			if isNullable(t) {
				return withNull(nullableDecoder(t))
			}
			return withNull(func(dst reflect.Value, v any) bool {
				raw, ok := rawJSON(v)
				if !ok || !dst.CanAddr() {
					return false
				}
				return dst.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw) == nil
			})
		}
		if pt.Implements(textUnmarshalerType) {
			return withNull(func(dst reflect.Value, v any) bool {
				s, ok := v.(string)
				if !ok || !dst.CanAddr() {
					return false
				}
				return dst.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)) == nil
			})
		}
	}
	switch t.Kind() {
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return never
		}
		return withNull(func(dst reflect.Value, v any) bool {
			g, ok := generic(v)
			if !ok {
				return false
			}
			dst.Set(reflect.ValueOf(&g).Elem())
			return true
		})
	case reflect.String:
		return withNull(func(dst reflect.Value, v any) bool {
			s, ok := v.(string)
			if !ok {
				return false
			}
			dst.SetString(s)
			return true
		})
	case reflect.Bool:
		return withNull(func(dst reflect.Value, v any) bool {
			b, ok := v.(bool)
			if !ok {
				return false
			}
			dst.SetBool(b)
			return true
		})
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return withNull(func(dst reflect.Value, v any) bool {
			n, ok := v.(json.Number)
			if !ok {
				return false
			}
			i, err := strconv.ParseInt(string(n), 10, 64)
			if err != nil || dst.OverflowInt(i) {
				return false
			}
			dst.SetInt(i)
			return true
		})
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return withNull(func(dst reflect.Value, v any) bool {
			n, ok := v.(json.Number)
			if !ok {
				return false
			}
			u, err := strconv.ParseUint(string(n), 10, 64)
			if err != nil || dst.OverflowUint(u) {
				return false
			}
			dst.SetUint(u)
			return true
		})
	case reflect.Float32, reflect.Float64:
		return withNull(func(dst reflect.Value, v any) bool {
			n, ok := v.(json.Number)
			if !ok {
				return false
			}
			f, err := strconv.ParseFloat(string(n), t.Bits())
			if err != nil || dst.OverflowFloat(f) {
				return false
			}
			dst.SetFloat(f)
			return true
		})
	case reflect.Struct:
		return withNull(structDecoder(t))
	case reflect.Map:
		if t.Key().Kind() != reflect.String || reflect.PointerTo(t.Key()).Implements(textUnmarshalerType) {
			return never
		}
		elem := decoderFor(t.Elem())
		plainKey := t.Key() == reflect.TypeFor[string]()
		return withNull(func(dst reflect.Value, v any) bool {
			obj, ok := v.(map[string]any)
			if !ok {
				return false
			}
			if dst.IsNil() {
				dst.Set(reflect.MakeMapWithSize(t, len(obj)))
			}
			ev := reflect.New(t.Elem()).Elem()
			for key, val := range obj {
				ev.SetZero()
				if !elem(ev, val) {
					return false
				}
				k := reflect.ValueOf(key)
				if !plainKey {
					k = k.Convert(t.Key())
				}
				dst.SetMapIndex(k, ev)
			}
			return true
		})
	case reflect.Slice:
		elem := decoderFor(t.Elem())
		return withNull(func(dst reflect.Value, v any) bool {
			arr, ok := v.([]any)
			if !ok {
				return false
			}
			s := reflect.MakeSlice(t, len(arr), len(arr))
			for i, val := range arr {
				if !elem(s.Index(i), val) {
					return false
				}
			}
			dst.Set(s)
			return true
		})
	}
	return never
}

func never(reflect.Value, any) bool { return false }

// structDecoder decodes an object into a struct: each field from its exact
// key, unknown keys ignored, and a key that matches a field only when case
// is ignored left to encoding/json.
func structDecoder(t reflect.Type) decoderFunc {
	type field struct {
		name   string
		index  int
		decode decoderFunc
	}
	set := fieldsOf(t)
	var fields []field
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return never
		}
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && opts == "" {
			continue
		}
		if strings.Contains(opts, "string") || name == "-" || !validTagName(name) {
			return never
		}
		if name == "" {
			name = f.Name
		}
		for _, g := range fields {
			if g.name == name {
				return never // encoding/json drops both; leave that to it
			}
		}
		fields = append(fields, field{name, i, decoderFor(f.Type)})
	}
	return func(dst reflect.Value, v any) bool {
		obj, ok := v.(map[string]any)
		if !ok {
			return false
		}
		found := 0
		for _, f := range fields {
			val, ok := obj[f.name]
			if !ok {
				continue
			}
			found++
			if !f.decode(dst.Field(f.index), val) {
				return false
			}
		}
		if found == len(obj) {
			return true // every key is a field's exact name
		}
		for key := range obj {
			if _, ok := set.types[key]; !ok && set.foldMatch(key) != "" {
				return false // encoding/json would pick a field by case folding
			}
		}
		return true
	}
}

// nullStorer returns what encoding/json does with a JSON null in a t.
func nullStorer(t reflect.Type) decoderFunc {
	if t.Kind() != reflect.Pointer && t.Name() != "" && reflect.PointerTo(t).Implements(unmarshalerType) {
		return func(dst reflect.Value, _ any) bool {
			return dst.CanAddr() && dst.Addr().Interface().(json.Unmarshaler).UnmarshalJSON([]byte("null")) == nil
		}
	}
	switch t.Kind() {
	case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice:
		return func(dst reflect.Value, _ any) bool { dst.SetZero(); return true }
	}
	return func(reflect.Value, any) bool { return true } // other kinds keep their value
}

// isNullable reports whether t is a nullable.Nullable[T]: a map[bool]T with
// its own UnmarshalJSON.
func isNullable(t reflect.Type) bool {
	return t.Kind() == reflect.Map && t.Key().Kind() == reflect.Bool && t.PkgPath() == "github.com/oapi-codegen/nullable"
}

// nullableDecoder does what Nullable[T].UnmarshalJSON does with a value
// that is not null: decode a fresh T, then Set it.
func nullableDecoder(t reflect.Type) decoderFunc {
	elem := decoderFor(t.Elem())
	yes := reflect.ValueOf(true)
	return func(dst reflect.Value, v any) bool {
		inner := reflect.New(t.Elem()).Elem()
		if !elem(inner, v) {
			return false
		}
		m := reflect.MakeMapWithSize(t, 1)
		m.SetMapIndex(yes, inner)
		dst.Set(m)
		return true
	}
}

// rawJSON rebuilds the JSON text of a scalar from a plain parse: strings had
// no escapes, so quoting them gives back the bytes of the body.
func rawJSON(v any) ([]byte, bool) {
	switch v := v.(type) {
	case string:
		b := make([]byte, 0, len(v)+2)
		b = append(b, '"')
		b = append(b, v...)
		return append(b, '"'), true
	case json.Number:
		return []byte(v), true
	case bool:
		return []byte(strconv.FormatBool(v)), true
	}
	return nil, false
}

// generic turns a parsed value into what encoding/json stores in an
// interface{}: numbers become float64.
func generic(v any) (any, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return nil, false
		}
		return f, true
	case map[string]any:
		for k, e := range x {
			g, ok := generic(e)
			if !ok {
				return nil, false
			}
			x[k] = g
		}
	case []any:
		for i, e := range x {
			g, ok := generic(e)
			if !ok {
				return nil, false
			}
			x[i] = g
		}
	}
	return v, true
}

var textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

// validTagName is a conservative stand-in for encoding/json's isValidTag:
// letters, digits and underscores only.
func validTagName(s string) bool {
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
