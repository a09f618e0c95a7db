package fake

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

func TestLifecycle(t *testing.T) {
	ids := map[string][]string{"user": {"userId", "userUuid", "tenantId"}, "tenant": {"tenantId"}}
	for model, idKeys := range ids {
		for _, shape := range allShapes {
			t.Run(model+"/"+shape.String(), func(t *testing.T) {
				seeds := map[Shape]uint64{Large: 2, Huge: 1}[shape] // heavy payloads, slow to validate
				if seeds == 0 {
					seeds = 50
				}
				for seed := range seeds {
					hooks, err := Lifecycle(model, Options{Seed: seed, Mode: gen.ModeLive, Shape: shape})
					require.NoError(t, err)
					require.Len(t, hooks, 3)
					assert.Equal(t, []string{model + ".created", model + ".updated", model + ".deleted"},
						[]string{hooks[0].Event.Name, hooks[1].Event.Name, hooks[2].Event.Name})
					var recs []map[string]any
					for _, h := range hooks {
						require.NoError(t, openapi.Validate(h.Event, h.Body))
						recs = append(recs, decode(t, h.Body)["record"].(map[string]any))
					}
					for _, k := range idKeys {
						assert.Equal(t, recs[0][k], recs[1][k], k)
						assert.Equal(t, recs[1][k], recs[2][k], k)
					}
					if shape != WithUnknownFields { // unknown fields are drawn anew
						assert.NotEqual(t, recs[0], recs[1], "the update changes some fields")
						assert.Equal(t, recs[1], recs[2], "the delete carries the last state")
					}
					if shape == Full && model == "user" {
						assert.Less(t, recs[0]["updatedAt"].(string), recs[1]["updatedAt"].(string))
						assert.Equal(t, recs[0]["createdAt"], recs[1]["createdAt"])
					}
				}
			})
		}
	}
}

func TestLifecycleErrors(t *testing.T) {
	_, err := Lifecycle("invoice", Options{})
	require.ErrorIs(t, err, ErrUnknownModel)
	assert.Contains(t, err.Error(), "invoice")
	_, err = Lifecycle("user", Options{Mode: "staging"})
	require.ErrorIs(t, err, ErrUnknownMode)
}

// TestDriftCheckerNamesMissingFields proves that the drift test would fail:
// a schema with one property more than the payload gets that property named.
func TestDriftCheckerNamesMissingFields(t *testing.T) {
	s := openapi3.NewObjectSchema().
		WithProperty("a", openapi3.NewStringSchema()).
		WithProperty("nested", openapi3.NewObjectSchema().WithProperty("b", openapi3.NewBoolSchema()).WithProperty("newField", openapi3.NewStringSchema()))
	got := missingInFull("x", openapi3.NewSchemaRef("", s), map[string]any{"a": "1", "nested": map[string]any{"b": true}})
	assert.Equal(t, []string{"x.nested.newField"}, got)
	got = missingInFull("x", openapi3.NewSchemaRef("", s), map[string]any{"nested": nil})
	assert.ElementsMatch(t, []string{"x.a", "x.nested"}, got)
}
