package openapi

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
)

// TestFromRecordOf reads the mark where a document may write it: in the
// schema, or next to a $ref; a mark that is not a string does not count.
func TestFromRecordOf(t *testing.T) {
	marked := func(v any) map[string]any { return map[string]any{FromRecordExtension: v} }
	cases := []struct {
		name string
		ref  *openapi3.SchemaRef
		want string
	}{
		{"in the schema", &openapi3.SchemaRef{Value: &openapi3.Schema{Extensions: marked("email")}}, "email"},
		{"next to a $ref", &openapi3.SchemaRef{Ref: "#/components/schemas/X", Extensions: marked("userUuid"), Value: &openapi3.Schema{}}, "userUuid"},
		{"next to a $ref wins", &openapi3.SchemaRef{Extensions: marked("a"), Value: &openapi3.Schema{Extensions: marked("b")}}, "a"},
		{"not a string", &openapi3.SchemaRef{Value: &openapi3.Schema{Extensions: marked(true)}}, ""},
		{"no mark", &openapi3.SchemaRef{Value: &openapi3.Schema{}}, ""},
		{"no schema", &openapi3.SchemaRef{}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, fromRecordOf(tc.ref))
		})
	}
}
