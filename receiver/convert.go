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
func toTyped(dst reflect.Value, v any) bool {
	t := dst.Type()
	if v == nil {
		return storeNull(dst)
	}
	// Leaf decoders, checked in encoding/json's order: a pointer is filled
	// through, then Unmarshaler, then TextUnmarshaler (strings only).
	if t.Kind() == reflect.Pointer {
		if dst.IsNil() {
			dst.Set(reflect.New(t.Elem()))
		}
		return toTyped(dst.Elem(), v)
	}
	if t.Name() != "" && dst.CanAddr() {
		pt := reflect.PointerTo(t)
		if pt.Implements(unmarshalerType) {
			if isNullable(t) {
				return toNullable(dst, v)
			}
			raw, ok := rawJSON(v)
			if !ok {
				return false
			}
			return dst.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw) == nil
		}
		if pt.Implements(textUnmarshalerType) {
			s, ok := v.(string)
			if !ok {
				return false
			}
			return dst.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)) == nil
		}
	}
	switch t.Kind() {
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return false
		}
		g, ok := generic(v)
		if !ok {
			return false
		}
		dst.Set(reflect.ValueOf(&g).Elem())
		return true
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return false
		}
		dst.SetString(s)
		return true
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return false
		}
		dst.SetBool(b)
		return true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
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
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
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
	case reflect.Float32, reflect.Float64:
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
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return false
		}
		fs := structOf(t)
		if fs == nil {
			return false
		}
		for key, val := range obj {
			i, ok := fs.index[key]
			if !ok {
				if fs.set.foldMatch(key) != "" {
					return false // encoding/json would pick a field by case folding
				}
				continue // unknown fields are ignored
			}
			if !toTyped(dst.Field(i), val) {
				return false
			}
		}
		return true
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String || reflect.PointerTo(t.Key()).Implements(textUnmarshalerType) {
			return false
		}
		if dst.IsNil() {
			dst.Set(reflect.MakeMapWithSize(t, len(obj)))
		}
		et := t.Elem()
		for key, val := range obj {
			ev := reflect.New(et).Elem()
			if !toTyped(ev, val) {
				return false
			}
			dst.SetMapIndex(reflect.ValueOf(key).Convert(t.Key()), ev)
		}
		return true
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			return false
		}
		s := reflect.MakeSlice(t, len(arr), len(arr))
		for i, val := range arr {
			if !toTyped(s.Index(i), val) {
				return false
			}
		}
		dst.Set(s)
		return true
	}
	return false
}

// storeNull does what encoding/json does with a JSON null.
func storeNull(dst reflect.Value) bool {
	t := dst.Type()
	if t.Kind() != reflect.Pointer && t.Name() != "" && dst.CanAddr() && reflect.PointerTo(t).Implements(unmarshalerType) {
		return dst.Addr().Interface().(json.Unmarshaler).UnmarshalJSON([]byte("null")) == nil
	}
	switch t.Kind() {
	case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice:
		dst.SetZero()
	}
	return true // other kinds keep their value
}

// isNullable reports whether t is a nullable.Nullable[T]: a map[bool]T with
// its own UnmarshalJSON.
func isNullable(t reflect.Type) bool {
	return t.Kind() == reflect.Map && t.Key().Kind() == reflect.Bool && t.PkgPath() == "github.com/oapi-codegen/nullable"
}

// toNullable does what Nullable[T].UnmarshalJSON does with a value that is
// not null: decode a fresh T, then Set it.
func toNullable(dst reflect.Value, v any) bool {
	t := dst.Type()
	inner := reflect.New(t.Elem()).Elem()
	if !toTyped(inner, v) {
		return false
	}
	m := reflect.MakeMapWithSize(t, 1)
	m.SetMapIndex(reflect.ValueOf(true), inner)
	dst.Set(m)
	return true
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

// structFields is how toTyped finds a struct's fields.
type structFields struct {
	index map[string]int // exact JSON name -> field index
	set   *fieldSet
}

var structs sync.Map // reflect.Type -> *structFields, or nil when unsupported

// structOf returns t's fields, or nil when t has a field that toTyped does
// not handle the way encoding/json does (an embedded struct, a ",string"
// option), so that the caller falls back.
func structOf(t reflect.Type) *structFields {
	if sf, ok := structs.Load(t); ok {
		return sf.(*structFields)
	}
	sf := &structFields{index: map[string]int{}, set: fieldsOf(t)}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			sf = nil
			break
		}
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && opts == "" {
			continue
		}
		if strings.Contains(opts, "string") || name == "-" || !validTagName(name) {
			sf = nil
			break
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := sf.index[name]; dup {
			sf = nil // encoding/json drops both; leave that to it
			break
		}
		sf.index[name] = i
	}
	structs.Store(t, sf)
	return sf
}

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
