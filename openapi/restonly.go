package openapi

import (
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

// RestOnlyExtension is the vendor extension that marks a property of a record
// schema as shown by the REST API only: a webhook carries the REST API's record
// less every property marked `x-rest-only: true`. The mark is the one place
// where the difference between the two records is stated.
const RestOnlyExtension = "x-rest-only"

// RestOnly returns the names of the properties of schema that are marked
// `x-rest-only: true`, sorted, or nil when there are none. The mark counts
// whether it is written inside the property's schema or next to a $ref, where
// kin-openapi keeps it in the reference's Extensions. Only the schema's own
// properties are read: marks in nested schemas, allOf branches or a value
// other than the boolean true do not count. A nil schema has none.
//
// The record schema of an event is its request body schema's record property:
//
//	ev, _ := openapi.Lookup("user.created")
//	dropped := openapi.RestOnly(ev.Schema.Properties["record"].Value)
func RestOnly(schema *openapi3.Schema) []string {
	if schema == nil {
		return nil
	}
	var names []string
	for name, ref := range schema.Properties {
		if ref == nil {
			continue
		}
		if marked(ref.Extensions) || (ref.Value != nil && marked(ref.Value.Extensions)) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// marked reports whether ext sets RestOnlyExtension to true.
func marked(ext map[string]any) bool {
	v, ok := ext[RestOnlyExtension].(bool)
	return ok && v
}
