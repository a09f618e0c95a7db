package openapi

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// TestJSONOfIsTheDocumentAsJSON: jsonOf gives, for each test document, what
// jsonschema.UnmarshalJSON gives for the document written as JSON, and
// declines what it must leave to kin-openapi.
func TestJSONOfIsTheDocumentAsJSON(t *testing.T) {
	files, err := filepath.Glob("testdata/providers/*.yaml")
	require.NoError(t, err)
	files = append(files, "webhooks.yaml", "testdata/seventh.yaml")
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			root, err := parseDocument(data, file)
			require.NoError(t, err)
			got, ok := jsonOf(root)
			require.True(t, ok)

			var v any
			require.NoError(t, yaml.Unmarshal(data, &v))
			raw, err := json.Marshal(v)
			require.NoError(t, err)
			want, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
	for _, doc := range []string{
		"a: {$ref: 'other.yaml#/x'}",
		"a: &x {b: 1}\nc:\n  <<: *x\n",
		"a: .inf",
		"a: !custom 3",
	} {
		root, err := parseDocument([]byte(doc), "doc")
		require.NoError(t, err)
		_, ok := jsonOf(root)
		assert.False(t, ok, doc)
	}
	root, err := parseDocument([]byte("a: &x [1, 2.5, true, null, 2026-11-29, '3']\nb: *x\n"), "doc")
	require.NoError(t, err)
	got, ok := jsonOf(root)
	require.True(t, ok)
	list := []any{json.Number("1"), json.Number("2.5"), true, nil, "2026-11-29", "3"}
	assert.Equal(t, map[string]any{"a": list, "b": list}, got)
}
