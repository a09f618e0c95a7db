package receiver

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ufhook/ufhook/openapi"
)

// encoding/json matches object keys to struct fields case-insensitively, and
// the last match wins. A validated body could then hand a callback values
// that were never validated: with {"userId":1,"USERID":2} the schema checks
// userId, treats USERID as an unknown field, and the callback gets 2.
// checkKeys closes that gap: it walks the validated value alongside the
// generated type and rejects any key that matches a field of the type only
// when letter case is ignored.

// fieldSet is the JSON names of a struct's fields.
type fieldSet struct {
	types map[string]reflect.Type // exact JSON name -> field type
	lower map[string]string       // lower-case ASCII name -> exact name
}

var fieldSets sync.Map // reflect.Type -> *fieldSet

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

func fieldsOf(t reflect.Type) *fieldSet {
	if fs, ok := fieldSets.Load(t); ok {
		return fs.(*fieldSet)
	}
	fs := &fieldSet{types: map[string]reflect.Type{}, lower: map[string]string{}}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs.types[name] = f.Type
		fs.lower[strings.ToLower(name)] = name
	}
	fieldSets.Store(t, fs)
	return fs
}

// foldMatch returns the field that key matches only when case is ignored,
// the way encoding/json matches it, or "".
func (fs *fieldSet) foldMatch(key string) string {
	ascii := true
	for i := 0; i < len(key); i++ {
		if key[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return fs.lower[strings.ToLower(key)]
	}
	// Unicode folding makes, e.g., the Kelvin sign match k.
	for name := range fs.types {
		if strings.EqualFold(name, key) {
			return name
		}
	}
	return ""
}

// checkKeys reports the first key of v, a value decoded by
// openapi.DecodeJSON, that encoding/json would decode into a field of t under
// another spelling.
func checkKeys(v any, t reflect.Type, path string) *openapi.Problem {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.Bool:
		// nullable.Nullable[T] is a map[bool]T holding T under true.
		if v == nil {
			return nil
		}
		return checkKeys(v, t.Elem(), path)
	case reflect.PointerTo(t).Implements(unmarshalerType):
		return nil // a leaf with its own decoding: time, UUID, email
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		fs := fieldsOf(t)
		for key, val := range obj {
			if ft, ok := fs.types[key]; ok {
				if p := checkKeys(val, ft, path+"/"+escapePointer(key)); p != nil {
					return p
				}
				continue
			}
			if name := fs.foldMatch(key); name != "" {
				return &openapi.Problem{Path: path + "/" + escapePointer(key), Keyword: "key",
					Message: fmt.Sprintf("key %q differs from the field %q only in letter case; send %q once", key, name, name)}
			}
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		for key, val := range obj {
			if p := checkKeys(val, t.Elem(), path+"/"+escapePointer(key)); p != nil {
				return p
			}
		}
	case reflect.Slice, reflect.Array:
		arr, ok := v.([]any)
		if !ok {
			return nil
		}
		for i, val := range arr {
			if p := checkKeys(val, t.Elem(), fmt.Sprintf("%s/%d", path, i)); p != nil {
				return p
			}
		}
	}
	return nil
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func escapePointer(s string) string { return pointerEscaper.Replace(s) }
