package fake

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

// These tests change the process's document: they must not call
// t.Parallel, and each puts the embedded document back when it ends.

// useEmbeddedWith installs the embedded document with edit applied, for the
// rest of the test.
func useEmbeddedWith(t *testing.T, edit func(string) string) {
	t.Helper()
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	spec := string(openapi.Spec())
	data := edit(spec)
	require.NotEqual(t, spec, data, "the edit changes the document")
	require.NoError(t, openapi.Use([]byte(data)))
}

// TestModesComeFromTheDocument checks that payloads take their mode from
// the document's x-ufhook-modes: written at its field even without
// x-faker: mode, its payloadDefault for "", and, for a document that
// declares no modes, no mode at all: the mode property is then drawn as
// any other value, and a mode is refused.
func TestModesComeFromTheDocument(t *testing.T) {
	ev := func(t *testing.T) openapi.Event { return openapi.MustLookup("user.created") }
	modeOf := func(t *testing.T, body []byte) string {
		var env struct{ Mode string }
		require.NoError(t, json.Unmarshal(body, &env))
		return env.Mode
	}

	t.Run("the field gets the mode without x-faker: mode", func(t *testing.T) {
		useEmbeddedWith(t, func(s string) string { return strings.Replace(s, "      x-faker: mode\n", "", 1) })
		for seed := range uint64(20) {
			for _, mode := range []gen.Mode{gen.ModeTest, gen.ModeLive} {
				body, err := Payload(ev(t), Options{Seed: seed, Mode: mode})
				require.NoError(t, err)
				assert.Equal(t, string(mode), modeOf(t, body))
			}
		}
	})

	t.Run("payloadDefault for no mode", func(t *testing.T) {
		useEmbeddedWith(t, func(s string) string {
			return strings.Replace(s, "  payloadDefault: test\n", "  payloadDefault: live\n", 1)
		})
		body, err := Payload(ev(t), Options{Seed: 1})
		require.NoError(t, err)
		assert.Equal(t, "live", modeOf(t, body))
	})

	t.Run("a document without modes", func(t *testing.T) {
		block := regexp.MustCompile(`(?m)^x-ufhook-modes:\n(?:[ \t].*\n)*`)
		useEmbeddedWith(t, func(s string) string { return block.ReplaceAllString(s, "") })
		seen := map[string]bool{}
		for seed := range uint64(40) {
			body, err := Payload(ev(t), Options{Seed: seed, Shape: Full})
			require.NoError(t, err)
			require.NoError(t, openapi.Validate(ev(t), body), "%s", body)
			seen[modeOf(t, body)] = true
		}
		assert.Equal(t, map[string]bool{"test": true, "live": true}, seen, "drawn from the enum")

		_, err := Payload(ev(t), Options{Mode: gen.ModeLive})
		require.ErrorIs(t, err, ErrUnknownMode)
		assert.Contains(t, err.Error(), "the document declares no modes")
	})

	t.Run("a mode the document does not declare", func(t *testing.T) {
		_, err := Payload(ev(t), Options{Mode: "staging"})
		require.ErrorIs(t, err, ErrUnknownMode)
		assert.Contains(t, err.Error(), `unknown mode "staging": use test or live`)
	})
}
