package mock

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ufhook/ufhook/openapi"
)

// nullEverywhere sets to null every property of the record, at any depth,
// that the event's schema lets be null (the Nulls shape). Sparse leaves
// optional properties out; this shape keeps them, as null.
func nullEverywhere(ev openapi.Event, body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var env map[string]any
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("decode the payload: %w", err)
	}
	rec := ev.Schema.Properties["record"]
	if rec == nil || rec.Value == nil {
		return nil, fmt.Errorf("the schema of %s has no record", ev.Name)
	}
	nullify(env["record"], rec.Value)
	return json.Marshal(env)
}

// nullify walks v along s.
func nullify(v any, s *openapi3.Schema) {
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	for name, ps := range s.Properties {
		pv, present := obj[name]
		if !present || ps == nil || ps.Value == nil {
			continue
		}
		if admitsNull(ps.Value) {
			obj[name] = nil
			continue
		}
		nullify(pv, ps.Value)
	}
}

// admitsNull reports whether s admits null: type [X, 'null'], or anyOf with a
// null branch.
func admitsNull(s *openapi3.Schema) bool {
	if s.Type != nil && s.Type.Includes("null") {
		return true
	}
	for _, alt := range s.AnyOf {
		if alt != nil && alt.Value != nil && alt.Value.Type != nil && alt.Value.Type.Is("null") {
			return true
		}
	}
	return false
}
