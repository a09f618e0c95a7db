package openapi_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

// Like the tests of use_test.go, these change the process-wide document and
// must not run in parallel.

func TestUseFileResolvesRefsToFilesBesideIt(t *testing.T) {
	require.NoError(t, openapi.UseFile(filepath.Join("testdata", "split", "webhooks.yaml")))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })

	assert.Equal(t, []string{"widget.created"}, openapi.Names())
	ev := openapi.MustLookup("widget.created")
	require.NoError(t, openapi.Validate(ev, []byte(`{"action":"create","model":"widget","mode":"test","record":{"id":3,"name":"bolt","colour":"red"}}`)))
	// The schemas of widget.yaml apply: a colour outside its enum, and a
	// name longer than its maxLength, are refused.
	var verr *openapi.ValidationError
	require.ErrorAs(t, openapi.Validate(ev, []byte(`{"action":"create","model":"widget","mode":"test","record":{"id":3,"name":"bolt","colour":"mauve"}}`)), &verr)
	assert.Equal(t, "/record/colour", verr.Problems[0].Path)
	assert.Error(t, openapi.Validate(ev, []byte(`{"action":"create","model":"widget","mode":"test","record":{"id":3,"name":"0123456789012345678901234567890123456789x"}}`)))
}

func TestUseFileTakesSeventh(t *testing.T) {
	embedded := openapi.Names()
	require.NoError(t, openapi.UseFile("testdata/seventh.yaml"))
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	assert.Equal(t, append(embedded, "user.archived"), openapi.Names())
}

// TestUseFileExplainsBadDocuments gives each bad document of testdata/bad
// and checks that the error names the file, the place and what to do, and
// that the document in use stays.
func TestUseFileExplainsBadDocuments(t *testing.T) {
	bad := func(name string) string { return filepath.Join("testdata", "bad", name) }
	cases := []struct {
		name  string
		path  string
		where string // the file, and the line or JSON pointer
		what  string
		todo  string
	}{
		{"no such file", bad("nowhere.yaml"), bad("nowhere.yaml"), "no such file", "give the path of an OpenAPI 3.1 document"},
		{"does not parse", bad("not-yaml.yaml"), bad("not-yaml.yaml"), "line 1: did not find expected", "fix the syntax"},
		{"OpenAPI 3.0", bad("openapi-3.0.yaml"), bad("openapi-3.0.yaml") + ":1: /openapi", `/openapi is "3.0.3"`, "convert the document to 3.1"},
		{"no webhooks", bad("no-webhooks.yaml"), bad("no-webhooks.yaml") + ":1: /webhooks", "has no webhooks", "add one webhook per event under webhooks"},
		{"no JSON body", bad("no-json-body.yaml"), bad("no-json-body.yaml") + ":14: /webhooks/widget.created/post/requestBody/content", "has no JSON request body (it has application/x-www-form-urlencoded)", "add content application/json with a schema"},
		{"unresolved $ref", bad("unresolved-ref.yaml"), bad("unresolved-ref.yaml") + ":33: /components/schemas/WidgetCreatedEvent/properties/record/$ref", `"#/components/schemas/Widget" does not resolve`, "fix the $ref or add what it names"},
		{"missing file", bad("missing-file.yaml"), bad("missing-file.yaml") + ":33: /components/schemas/WidgetCreatedEvent/properties/record/$ref", `"gadget.yaml#/Gadget" does not resolve`, "put the file beside the document"},
	}
	before := openapi.Names()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := openapi.UseFile(tc.path)
			require.ErrorIs(t, err, openapi.ErrInvalidDocument)
			assert.Contains(t, err.Error(), tc.where)
			assert.Contains(t, err.Error(), tc.what)
			assert.Contains(t, err.Error(), tc.todo)
			assert.Equal(t, before, openapi.Names(), "a rejected document changes nothing")
		})
	}
}

func TestUseRefusesFileRefsWithoutAPath(t *testing.T) {
	data, err := os.ReadFile("testdata/split/webhooks.yaml")
	require.NoError(t, err)
	err = openapi.Use(data)
	require.ErrorIs(t, err, openapi.ErrInvalidDocument)
	assert.Contains(t, err.Error(), `$ref "widget.yaml#/Widget" refers to another file`)
	assert.Contains(t, err.Error(), "--spec FILE")
}
