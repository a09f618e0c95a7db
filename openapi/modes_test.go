package openapi_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

// Like the tests of use_test.go, these change the process-wide document and
// must not run in parallel.

// modesBlock matches the x-ufhook-modes block of webhooks.yaml: the key and
// its indented lines.
var modesBlock = regexp.MustCompile(`(?m)^x-ufhook-modes:\n(?:[ \t].*\n)*`)

func TestModesOfTheEmbeddedDocument(t *testing.T) {
	set, ok := openapi.Modes()
	require.True(t, ok, "webhooks.yaml declares Userfront's modes")
	assert.Equal(t, "/mode", set.Field)
	assert.Equal(t, "live", set.Default)
	assert.Equal(t, "test", set.PayloadDefault)
	assert.True(t, set.SeparateTokens)
	assert.Equal(t, []string{"test", "live"}, set.Names())
	live, ok := set.Lookup("live")
	require.True(t, ok)
	assert.True(t, live.HTTPS)
	assert.True(t, live.FitsToken("uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"))
	assert.False(t, live.FitsToken("uf_test_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"))
	test, ok := set.Lookup("test")
	require.True(t, ok)
	assert.False(t, test.HTTPS)
	_, ok = set.Lookup("staging")
	assert.False(t, ok)
}

func TestDocumentWithoutModes(t *testing.T) {
	data := modesBlock.ReplaceAll(openapi.Spec(), nil)
	require.NotEqual(t, openapi.Spec(), data, "the block was found")
	require.NoError(t, openapi.Use(data))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	set, ok := openapi.Modes()
	assert.False(t, ok)
	assert.Empty(t, set.Names())

	require.NoError(t, openapi.Use(openapi.Spec()))
	_, ok = openapi.Modes()
	assert.True(t, ok, "back to the embedded document, back to its modes")
}

// TestBadModesAreRefusedOnLoad breaks the embedded document's
// x-ufhook-modes one way at a time: each is refused when the document is
// loaded, with the file, the line, the JSON pointer and what to do, and the
// document in use stays.
func TestBadModesAreRefusedOnLoad(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     []string
	}{
		{"unknown default", "  default: live\n", "  default: prod\n",
			[]string{"/x-ufhook-modes/default", `"prod" is not one of the modes under values (test, live)`}},
		{"unknown payloadDefault", "  payloadDefault: test\n", "  payloadDefault: sandbox\n",
			[]string{"/x-ufhook-modes/payloadDefault", `"sandbox" is not one of the modes`}},
		{"https not a boolean", "live: {https: true,", "live: {https: 'yes',",
			[]string{"/x-ufhook-modes/values/live/https", `"yes" is not a boolean`}},
		{"field pointer to a missing property", "  field: /mode\n", "  field: /modus\n",
			[]string{"/x-ufhook-modes/field", "/modus is not a property of webhook", "point field at the property that carries the mode"}},
		{"field not a pointer", "  field: /mode\n", "  field: mode\n",
			[]string{"/x-ufhook-modes/field", `"mode" is no JSON pointer`}},
		{"a mode that the field's enum does not allow", "    test: {token: '^uf_test_webhook_'}\n", "    test: {token: '^uf_test_webhook_'}\n    staging: {}\n",
			[]string{"/x-ufhook-modes/field", `not mode "staging"`, "add the mode to its enum"}},
		{"token not a regular expression", "'^uf_test_webhook_'", "'^uf_(test'",
			[]string{"/x-ufhook-modes/values/test/token", "is no regular expression"}},
		{"unknown key", "  separateTokens: true\n", "  separateToken: true\n",
			[]string{"/x-ufhook-modes/separateToken", `unknown key "separateToken"`}},
		{"unknown key of a mode", "live: {https: true,", "live: {http: true,",
			[]string{"/x-ufhook-modes/values/live/http", `unknown key "http"`}},
		{"no values", "  values:\n    test: {token: '^uf_test_webhook_'}\n    live: {https: true, token: '^uf_live_webhook_'}\n", "  values: {}\n",
			[]string{"/x-ufhook-modes/values", "give a map from each mode's name"}},
		{"not a map", "  field: /mode\n", "  - field: /mode\n",
			[]string{"/x-ufhook-modes", "give a map with field, default and values"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
			spec := string(openapi.Spec())
			require.Contains(t, spec, tc.old)
			data := strings.Replace(spec, tc.old, tc.new, 1)
			if tc.name == "not a map" {
				// Every line of the block becomes an item of a list.
				data = strings.Replace(data, "\n  default:", "\n    default:", 1)
				data = strings.Replace(data, "\n  payloadDefault:", "\n    payloadDefault:", 1)
				data = strings.Replace(data, "\n  separateTokens:", "\n    separateTokens:", 1)
				data = strings.Replace(data, "\n  values:", "\n    values:", 1)
				data = strings.Replace(data, "\n    test: {", "\n      test: {", 1)
				data = strings.Replace(data, "\n    live: {", "\n      live: {", 1)
			}
			path := filepath.Join(t.TempDir(), "webhooks.yaml")
			require.NoError(t, os.WriteFile(path, []byte(data), 0o600))

			err := openapi.UseFile(path)
			require.ErrorIs(t, err, openapi.ErrInvalidDocument)
			assert.Regexp(t, regexp.QuoteMeta(path)+`:\d+: /x-ufhook-modes`, err.Error(), "the file and line")
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			set, ok := openapi.Modes()
			assert.True(t, ok, "the document in use stays")
			assert.Equal(t, "live", set.Default)
		})
	}
}
