package openapi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// checkDefaults checks that the default of every schema of doc (the
// document as JSON, added to comp as schemaURL) matches its schema, as
// kin-openapi's Validate does; it is done here because kin-openapi compiles
// a new JSON Schema validator for each default, which took a fifth of the
// load of a 300-webhook document (issue 13), and comp has compiled most of
// the schemas already. place gives the file and line of a JSON pointer's
// tokens, for errors.
func checkDefaults(comp *jsonschema.Compiler, doc any, place func(tokens ...string) string) error {
	var defaults [][]string
	findSchemas(doc, nil, func(s map[string]any, at []string) {
		if _, ok := s["default"]; ok {
			defaults = append(defaults, slices.Clone(at))
		}
	})
	slices.SortFunc(defaults, slices.Compare)
	for _, at := range defaults {
		ptr := pointer(at...)
		sch, err := comp.Compile(schemaURL + "#" + ptr)
		if err != nil {
			return fmt.Errorf("%s: compile the schema %s: %w; fix the schema", place(at...), ptr, err)
		}
		v := valueAt(doc, at).(map[string]any)["default"]
		if err := sch.Validate(v); err != nil {
			var problems []Problem
			if verr, ok := err.(*jsonschema.ValidationError); ok {
				collect(verr, &problems)
			}
			msgs := make([]string, len(problems))
			for i, p := range problems {
				msgs[i] = p.String()
			}
			return fmt.Errorf("%s: the default does not match its own schema (%s): fix the default or the schema", place(append(at, "default")...), strings.Join(msgs, "; "))
		}
	}
	return nil
}

// valueAt returns the value of doc at the pointer tokens at.
func valueAt(doc any, at []string) any {
	v := doc
	for _, tok := range at {
		switch x := v.(type) {
		case map[string]any:
			v = x[tok]
		case []any:
			i, _ := strconv.Atoi(tok)
			v = x[i]
		}
	}
	return v
}

// findSchemas calls visit for every schema of an OpenAPI document (v, at
// pointer tokens at): the component schemas and the schema of every
// parameter, header and media type, and their subschemas. The values of
// examples, defaults and extensions (x-…) are data, never searched.
func findSchemas(v any, at []string, visit func(s map[string]any, at []string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			switch {
			case k == "example" || k == "examples" || k == "default" || strings.HasPrefix(k, "x-"):
			case k == "schema":
				walkSchema(child, append(at, k), visit)
			case k == "schemas" && len(at) == 1 && at[0] == "components":
				if m, ok := child.(map[string]any); ok {
					for name, s := range m {
						walkSchema(s, append(at, k, name), visit)
					}
				}
			default:
				findSchemas(child, append(at, k), visit)
			}
		}
	case []any:
		for i, child := range x {
			findSchemas(child, append(at, strconv.Itoa(i)), visit)
		}
	}
}

// subschemaKeywords are the JSON Schema 2020-12 keywords whose value is a
// schema; subschemaLists hold a list of schemas, and schemaMaps (validate.go)
// map names to schemas.
var (
	subschemaKeywords = []string{"additionalProperties", "items", "not", "if", "then", "else", "contains",
		"propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema", "additionalItems"}
	subschemaLists = []string{"allOf", "anyOf", "oneOf", "prefixItems"}
)

// walkSchema calls visit for the schema v, at at, and its subschemas.
func walkSchema(v any, at []string, visit func(s map[string]any, at []string)) {
	s, ok := v.(map[string]any)
	if !ok {
		return
	}
	visit(s, at)
	for _, k := range subschemaKeywords {
		if child, ok := s[k]; ok {
			walkSchema(child, append(at, k), visit)
		}
	}
	for _, k := range subschemaLists {
		if list, ok := s[k].([]any); ok {
			for i, child := range list {
				walkSchema(child, append(at, k, strconv.Itoa(i)), visit)
			}
		}
	}
	for k := range schemaMaps {
		if k == "schemas" {
			continue
		}
		if m, ok := s[k].(map[string]any); ok {
			for name, child := range m {
				walkSchema(child, append(at, k, name), visit)
			}
		}
	}
}
