package openapi_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

// TestDefaultsMatchTheirSchema: a schema's default must match the schema,
// wherever the schema is (a component, a property, a parameter); the error
// gives the place and what to do. ufhook checks defaults itself, not
// through kin-openapi, which was slow at scale.
func TestDefaultsMatchTheirSchema(t *testing.T) {
	forge, err := os.ReadFile("testdata/providers/forge.yaml")
	require.NoError(t, err)
	tests := []struct {
		name, from, to string
		want           []string // in the error; none means the document loads
	}{
		{"good default", "created: {type: boolean}", "created: {type: boolean, default: false}", nil},
		{"property", "created: {type: boolean}", `created: {type: boolean, default: "yes"}`,
			[]string{"the document:", "/components/schemas/webhook-push/properties/created/default: the default does not match its own schema", "fix the default or the schema"}},
		{"parameter", "schema: {type: string, const: push}", "schema: {type: string, const: push, default: pull}",
			[]string{"/webhooks/push/post/parameters/2/schema/default: the default does not match"}},
		{"nested in allOf", "closed_at: {type: string, format: date-time}", "closed_at: {type: string, format: date-time, default: 3}",
			[]string{"/components/schemas/webhook-issues-closed/properties/issue/allOf/1/properties/closed_at/default: the default does not match"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, 1, strings.Count(string(forge), tt.from), "the document has %q once", tt.from)
			doc := strings.Replace(string(forge), tt.from, tt.to, 1)
			err := openapi.Use([]byte(doc))
			t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, openapi.ErrInvalidDocument)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
