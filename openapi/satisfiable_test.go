package openapi_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

// oneSchema writes a document whose webhook bad.thing has the body schema
// schema (YAML flow style), and whose webhook good.thing is fine.
func oneSchema(t *testing.T, schema string) string {
	t.Helper()
	doc := fmt.Sprintf(`openapi: 3.1.0
info: {title: t, version: '1'}
webhooks:
  good.thing:
    post:
      requestBody: {content: {application/json: {schema: {type: object, properties: {a: {type: string}}}}}}
      responses: {'200': {description: ok}}
  bad.thing:
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Bad'}}}}
      responses: {'200': {description: ok}}
components:
  schemas:
    Bad: %s
    Node: {type: object, required: [next], properties: {next: {$ref: '#/components/schemas/Node'}}}
`, schema)
	path := filepath.Join(t.TempDir(), "doc.yaml")
	require.NoError(t, os.WriteFile(path, []byte(doc), 0o600))
	return path
}

func TestUnsatisfiableSchemasAreDeclined(t *testing.T) {
	cases := []struct {
		name, schema, path, reason string
	}{
		{"lengths", `{type: object, required: [code], properties: {code: {type: string, minLength: 10, maxLength: 3}}}`, "/code", "minLength 10 is above maxLength 3"},
		{"items", `{type: object, required: [xs], properties: {xs: {type: array, minItems: 4, maxItems: 1}}}`, "/xs", "minItems 4 is above maxItems 1"},
		{"numbers", `{type: object, required: [n], properties: {n: {type: integer, minimum: 5, maximum: 2}}}`, "/n", "minimum 5 is above maximum 2"},
		{"no integer between", `{type: object, required: [n], properties: {n: {type: integer, minimum: 1.2, maximum: 1.8}}}`, "/n", "no integer lies between"},
		{"allOf types", `{type: object, required: [s], properties: {s: {allOf: [{type: string}, {type: integer}]}}}`, "/s", "it must be of type integer here and of type string"},
		{"allOf consts", `{allOf: [{type: object, required: [k], properties: {k: {const: a}}}, {properties: {k: {const: b}}}]}`, "/k", "it must be const b here and const a"},
		{"const outside its enum", `{type: object, required: [k], properties: {k: {const: c, enum: [a, b]}}}`, "/k", "its enum does not hold the const c"},
		{"const of the wrong type", `{type: object, required: [k], properties: {k: {type: integer, const: x}}}`, "/k", "its const x is a string"},
		{"forbidden required", `{type: object, required: [k], additionalProperties: false, properties: {j: {type: string}}}`, "", `property "k" is required, and additionalProperties: false`},
		{"no oneOf branch", `{type: object, required: [v], properties: {v: {oneOf: [{type: string, minLength: 3, maxLength: 1}, {type: array, minItems: 2, maxItems: 0}]}}}`, "/v", "no branch of its oneOf can be satisfied"},
		{"the false schema", `{type: object, required: [k], properties: {k: false}}`, "/k", "the schema is false"},
		{"an item every array needs", `{type: object, required: [xs], properties: {xs: {type: array, minItems: 1, items: {type: string, minLength: 2, maxLength: 1}}}}`, "/xs/0", "minLength 2 is above maxLength 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
			path := oneSchema(t, tc.schema)
			require.NoError(t, openapi.UseFile(path), "the other webhook runs")
			assert.Equal(t, []string{"good.thing"}, openapi.Names())
			declined := openapi.DeclinedEvents()
			require.Len(t, declined, 1)
			d := declined[0]
			assert.Equal(t, "bad.thing", d.Event)
			assert.Equal(t, tc.path, d.Path)
			assert.Contains(t, d.Reason, tc.reason)
			assert.Regexp(t, `doc\.yaml:\d+: /components/schemas/Bad`, d.Place)
			_, err := openapi.Lookup("bad.thing")
			require.ErrorIs(t, err, openapi.ErrUnsatisfiable)
			assert.Contains(t, err.Error(), "fix the schema; ufhook leaves this webhook out and runs the others")
			var got openapi.Declined
			require.True(t, errors.As(err, &got))
		})
	}
}

func TestSatisfiableSchemasAreKept(t *testing.T) {
	cases := []struct{ name, schema string }{
		{"a recursive optional link", `{type: object, properties: {next: {$ref: '#/components/schemas/Bad'}}}`},
		{"an optional contradiction", `{type: object, properties: {code: {type: string, minLength: 10, maxLength: 3}}}`},
		{"an empty array may be empty", `{type: object, required: [xs], properties: {xs: {type: array, items: {type: string, minLength: 2, maxLength: 1}}}}`},
		{"one good branch", `{type: object, required: [v], properties: {v: {oneOf: [{type: string, minLength: 3, maxLength: 1}, {type: integer}]}}}`},
		{"a number is an integer too", `{type: object, required: [n], properties: {n: {allOf: [{type: number}, {type: integer, minimum: 1, maximum: 1}]}}}`},
		{"equal consts", `{allOf: [{type: object, required: [k], properties: {k: {const: a}}}, {properties: {k: {const: a, enum: [a]}}}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
			require.NoError(t, openapi.UseFile(oneSchema(t, tc.schema)))
			assert.Equal(t, []string{"good.thing", "bad.thing"}, openapi.Names())
			assert.Empty(t, openapi.DeclinedEvents())
		})
	}
}

func TestOnlyUnsatisfiableWebhooksRefuseTheDocument(t *testing.T) {
	for _, f := range []string{"unsatisfiable-length.yaml", "unsatisfiable-allof.yaml"} {
		t.Run(f, func(t *testing.T) {
			err := openapi.UseFile(filepath.Join("testdata", "bad", f))
			require.ErrorIs(t, err, openapi.ErrInvalidDocument)
			require.ErrorIs(t, err, openapi.ErrUnsatisfiable)
			assert.Regexp(t, `testdata/bad/`+f+`:\d+: /components/schemas/\w+/properties/\w+`, err.Error())
			assert.Contains(t, err.Error(), "no other webhook is left to run")
		})
	}
}
