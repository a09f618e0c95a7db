package openapi_test

import (
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

// TestRestOnlyReadsTheSpec checks the fields that webhooks drop, as the
// embedded spec marks them, for the record of every record webhook; the
// messaging webhooks carry a factor, which has no REST form.
func TestRestOnlyReadsTheSpec(t *testing.T) {
	want := map[string][]string{
		"user":   {"lastActiveAt", "lastMessagedAt", "tenant", "updatedAt"},
		"tenant": {"testTenantId"},
	}
	messaging := []string{"user.login.link.email", "user.login.code.email", "user.login.code.sms"}
	evs, err := openapi.Events()
	require.NoError(t, err)
	for _, ev := range evs {
		t.Run(ev.Name, func(t *testing.T) {
			assert.Empty(t, openapi.RestOnly(ev.Schema), "the envelope has no REST-only property")
			if slices.Contains(messaging, ev.Name) {
				assert.Nil(t, ev.Schema.Properties["record"], "a messaging webhook carries no record")
				factor := ev.Schema.Properties["factor"]
				require.NotNil(t, factor)
				assert.Empty(t, openapi.RestOnly(factor.Value))
				return
			}
			rec := ev.Schema.Properties["record"]
			require.NotNil(t, rec)
			assert.Equal(t, want[ev.Model], openapi.RestOnly(rec.Value))
		})
	}
}

// restOnlyDoc marks properties in every way a document may, and in ways
// that do not count.
const restOnlyDoc = `
openapi: 3.1.0
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Inner:
      type: object
      properties:
        deep:
          type: string
          x-rest-only: true
    Record:
      type: object
      properties:
        plain:
          type: string
        inside:
          type: [string, 'null']
          x-rest-only: true
        beside:
          $ref: '#/components/schemas/Inner'
          x-rest-only: true
        unmarked:
          $ref: '#/components/schemas/Inner'
        falsy:
          type: string
          x-rest-only: false
        text:
          type: string
          x-rest-only: 'true'
        other:
          type: string
          x-internal: true
`

func TestRestOnly(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(restOnlyDoc))
	require.NoError(t, err)
	schema := func(name string) *openapi3.Schema {
		ref := doc.Components.Schemas[name]
		require.NotNil(t, ref, name)
		return ref.Value
	}
	beside := &openapi3.Schema{Properties: openapi3.Schemas{
		"ref": &openapi3.SchemaRef{Ref: "#/x", Extensions: map[string]any{openapi.RestOnlyExtension: true}, Value: &openapi3.Schema{}},
		"b":   &openapi3.SchemaRef{Value: &openapi3.Schema{Extensions: map[string]any{openapi.RestOnlyExtension: true}}},
		"a":   &openapi3.SchemaRef{Value: &openapi3.Schema{}},
		"nil": nil,
	}}
	cases := []struct {
		name   string
		schema *openapi3.Schema
		want   []string
	}{
		{"marks inside a schema and next to a $ref, sorted", schema("Record"), []string{"beside", "inside"}},
		{"a mark in a nested schema belongs to that schema", schema("Inner"), []string{"deep"}},
		{"a mark on the reference alone counts", beside, []string{"b", "ref"}},
		{"no properties", &openapi3.Schema{Type: &openapi3.Types{"string"}}, nil},
		{"nil schema", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, openapi.RestOnly(tc.schema))
		})
	}
}
