package fake

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

// The tests of this file install another document for the whole process
// (openapi.Use): none of them may call t.Parallel, so that no test reading
// the catalog runs meanwhile.

// useDocument installs data as the process's document until the end of the
// test.
func useDocument(t *testing.T, data []byte) {
	t.Helper()
	require.NoError(t, openapi.Use(data))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
}

// seventh reads openapi/testdata/seventh.yaml: webhooks.yaml plus a made-up
// user.archived webhook.
func seventh(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("../../openapi/testdata/seventh.yaml")
	require.NoError(t, err)
	return data
}

// TestSeventhWebhookNeedsNoGoChange: a webhook added to the spec has
// payloads in every shape, valid against the spec, with no Go code that
// knows it.
func TestSeventhWebhookNeedsNoGoChange(t *testing.T) {
	useDocument(t, seventh(t))
	ev, err := openapi.Lookup("user.archived")
	require.NoError(t, err)
	recSchema := ev.Schema.Properties["record"].Value

	for _, shape := range allShapes {
		t.Run(shape.String(), func(t *testing.T) {
			seeds := uint64(50)
			if shape == Large || shape == Huge {
				seeds = 2 // heavy payloads, slow to validate; their property does not depend on the seed
			}
			for seed := range seeds {
				mode := []gen.Mode{gen.ModeTest, gen.ModeLive}[seed%2]
				body, err := Payload(openapi.MustLookup("user.archived"), Options{Seed: seed, Mode: mode, Shape: shape})
				require.NoError(t, err)
				require.NoError(t, openapi.Validate(openapi.MustLookup("user.archived"), body), "seed %d: %s", seed, body)
				env := decode(t, body)
				assert.Equal(t, "archive", env["action"])
				assert.Equal(t, "user", env["model"])
				assert.Equal(t, string(mode), env["mode"])
				rec := env["record"].(map[string]any)

				switch shape {
				case Realistic:
					assert.Equal(t, rec["userUuid"], rec["uuid"], "coherence comes from the spec's hints")
				case Full:
					assert.Empty(t, missingInFull(ev.Name, openapi3.NewSchemaRef("", ev.Schema), env))
				case Sparse:
					keys := make([]string, 0, len(rec))
					for k := range rec {
						keys = append(keys, k)
					}
					assert.ElementsMatch(t, recSchema.Required, keys)
				case WithUnknownFields:
					unknown := false
					for k := range env {
						unknown = unknown || slices.Contains(futureKeys, k)
					}
					for k := range rec {
						unknown = unknown || slices.Contains(futureKeys, k)
					}
					if unknown {
						return // seen once is enough
					}
					if seed == 49 {
						t.Fatal("no seed gave an unknown field at the envelope or in the record")
					}
				case Nulls:
					for name, p := range recSchema.Properties {
						if p.Value.Type.Includes("null") {
							assert.Nil(t, rec[name], "%s is nullable, so Nulls makes it null", name)
						}
					}
				}
			}
		})
	}
}

// TestPlansFollowTheDocument: after openapi.Use, no plan compiled from the
// previous document is served.
func TestPlansFollowTheDocument(t *testing.T) {
	doc := seventh(t)
	useDocument(t, doc)
	archived := openapi.MustLookup("user.archived")
	body, err := Payload(archived, Options{Seed: 1})
	require.NoError(t, err)
	assert.Equal(t, "archive", decode(t, body)["action"])

	// The same event, with another action const.
	shelved := strings.NewReplacer("const: archive", "const: shelve", "action: archive", "action: shelve").Replace(string(doc))
	require.NoError(t, openapi.Use([]byte(shelved)))
	body, err = Payload(openapi.MustLookup("user.archived"), Options{Seed: 1})
	require.NoError(t, err)
	assert.Equal(t, "shelve", decode(t, body)["action"], "a plan of the previous document was served")

	// An event taken from the previous document is refused, rather than
	// served a plan of the wrong document.
	_, err = Payload(archived, Options{Seed: 2, Shape: Full})
	require.ErrorIs(t, err, openapi.ErrUnknownEvent)

	// And back to the embedded document, which has no such event.
	require.NoError(t, openapi.Use(openapi.Spec()))
	_, err = Payload(archived, Options{Seed: 1})
	require.ErrorIs(t, err, openapi.ErrUnknownEvent)
	_, err = Payload(openapi.MustLookup("user.created"), Options{Seed: 1})
	require.NoError(t, err)
}

// TestLongestFillsMaxLength: a document that declares a maxLength gets, in
// the Longest shape, strings of exactly that length there, valid against
// the spec, whatever the seed; the embedded spec, which declares none, has
// nothing for Longest to vary.
func TestLongestFillsMaxLength(t *testing.T) {
	embedded := openapi.MustLookup("user.created")
	varies, err := Varies(embedded, Longest)
	require.NoError(t, err)
	assert.False(t, varies, "Userfront's spec declares no maxLength")

	doc := strings.Replace(string(seventh(t)), `          type: string
          description: The full name. It may be an empty string.
          x-faker: person.name`, `          type: string
          maxLength: 40
          description: The full name. It may be an empty string.
          x-faker: person.name`, 1)
	require.NotEqual(t, string(seventh(t)), doc, "the User name schema moved: update this test")
	useDocument(t, []byte(doc))
	ev := openapi.MustLookup("user.archived")
	varies, err = Varies(ev, Longest)
	require.NoError(t, err)
	assert.True(t, varies)
	for seed := range uint64(20) {
		body, err := Payload(ev, Options{Seed: seed, Shape: Longest})
		require.NoError(t, err)
		require.NoError(t, openapi.Validate(ev, body), "seed %d", seed)
		name := decode(t, body)["record"].(map[string]any)["name"].(string)
		assert.Len(t, []rune(name), 40, "seed %d: %q", seed, name)
	}
}
