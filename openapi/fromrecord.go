package openapi

import "github.com/getkin/kin-openapi/openapi3"

// FromRecordExtension is the vendor extension that marks a value of a
// webhook's payload as a copy of a property of the record that the webhook
// is about: `x-from-record: userUuid` on the uuid of a login link's factor
// says that it is the user's userUuid. A mock provider that sends such a
// webhook for one of its records (ufhook serve, for a user who asks for a
// login link) sets these values from the record, and draws the rest.
const FromRecordExtension = "x-from-record"

// FromRecord returns the values of ev's payload that the spec marks with
// x-from-record: the name of the record's property, by the value's path in
// fake.Override's dotted form, e.g. {"factor.email": "email",
// "factor.uuid": "userUuid"}. It reads the request schema's properties and
// theirs, one level down, as Consts does; a mark written next to a $ref
// counts too. It is nil for an event without marks, such as a record
// webhook, whose record is the record itself.
func FromRecord(ev Event) map[string]string {
	if ev.Schema == nil {
		return nil
	}
	var out map[string]string
	add := func(path string, ref *openapi3.SchemaRef) {
		if name := fromRecordOf(ref); name != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[path] = name
		}
	}
	for name, p := range ev.Schema.Properties {
		if p == nil {
			continue
		}
		add(name, p)
		if p.Value == nil {
			continue
		}
		for inner, q := range p.Value.Properties {
			if q != nil {
				add(name+"."+inner, q)
			}
		}
	}
	return out
}

// fromRecordOf returns the x-from-record mark of a property, written next
// to its $ref or in its schema, or "".
func fromRecordOf(ref *openapi3.SchemaRef) string {
	if v, ok := ref.Extensions[FromRecordExtension].(string); ok {
		return v
	}
	if ref.Value != nil {
		if v, ok := ref.Value.Extensions[FromRecordExtension].(string); ok {
			return v
		}
	}
	return ""
}
