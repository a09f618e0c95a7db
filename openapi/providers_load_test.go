package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProviderDocumentsLoad checks that each document of the provider test
// set (testdata/providers) and each unsatisfiable bad document is valid
// OpenAPI 3.1 for kin-openapi, that every webhook is a post with a JSON
// request body, and that every webhook's schema compiles in JSON Schema
// 2020-12 mode, as the project compiles them (validate.go).
func TestProviderDocumentsLoad(t *testing.T) {
	tests := []struct {
		file     string
		webhooks []string
	}{
		{"providers/forge.yaml", []string{"push", "issues-opened", "issues-closed", "issue-comment-created", "ping"}},
		{"providers/billing.yaml", []string{"invoice_created", "invoice_paid", "invoice_payment_failed", "invoice_finalized"}},
		{"providers/identity.yaml", []string{"user.created", "user.updated", "user.deleted", "session.created", "organization.created"}},
		{"providers/stress.yaml", []string{"comment.posted", "shape.drawn", "deep.nested", "record.tagged"}},
		{"bad/unsatisfiable-length.yaml", []string{"code.issued"}},
		{"bad/unsatisfiable-allof.yaml", []string{"thing.created"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc := loadProviderDoc(t, filepath.Join("testdata", filepath.FromSlash(tt.file)))
			names := make([]string, 0, len(doc.Webhooks))
			for name := range doc.Webhooks {
				names = append(names, name)
			}
			assert.ElementsMatch(t, tt.webhooks, names)

			comp := providerCompiler(t, doc)
			for _, name := range tt.webhooks {
				item := doc.Webhooks[name]
				require.NotNil(t, item, "webhook %s", name)
				require.NotNil(t, item.Post, "webhook %s has no post", name)
				require.NotNil(t, item.Post.RequestBody, "webhook %s has no request body", name)
				media := item.Post.RequestBody.Value.Content.Get("application/json")
				require.NotNil(t, media, "webhook %s has no application/json body", name)
				require.NotNil(t, media.Schema, "webhook %s has no schema", name)
				pointer := "#/webhooks/" + pointerEscaper.Replace(name) + "/post/requestBody/content/application~1json/schema"
				_, err := comp.Compile(providerURL + pointer)
				require.NoError(t, err, "webhook %s: compile its schema", name)
			}
		})
	}
}

// providerURL names the compiled copy of a provider document.
const providerURL = "urn:ufhook:provider"

// loadProviderDoc loads and validates the document at path with
// kin-openapi, as UseFile does.
func loadProviderDoc(t *testing.T, path string) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.IncludeOrigin = true
	doc, err := loader.LoadFromFile(path)
	require.NoError(t, err, "load %s", path)
	require.NoError(t, doc.Validate(context.Background()), "validate %s", path)
	return doc
}

// providerCompiler returns a 2020-12 compiler that holds the whole of doc,
// as kin-openapi encodes it, as one resource.
func providerCompiler(t *testing.T, doc *openapi3.T) *jsonschema.Compiler {
	t.Helper()
	raw, err := json.Marshal(doc)
	require.NoError(t, err)
	res, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft2020)
	comp.AssertFormat()
	require.NoError(t, comp.AddResource(providerURL, res))
	return comp
}

// TestProviderSchemasMean checks, on parts of the provider documents, that
// the schemas say what the documents' comments claim once compiled in
// 2020-12 mode: that the stressing keywords survive kin-openapi's loading
// and encoding and are enforced.
func TestProviderSchemasMean(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		pointer string
		value   string
		valid   bool
	}{
		{"string label", "stress.yaml", "/components/schemas/ShapeDrawn/properties/label", `"north"`, true},
		{"fractional label", "stress.yaml", "/components/schemas/ShapeDrawn/properties/label", `2.5`, true},
		{"integer label matches two branches", "stress.yaml", "/components/schemas/ShapeDrawn/properties/label", `3`, false},
		{"metric with kilograms", "stress.yaml", "/components/schemas/DeepEnvelope/properties/measurement", `{"unit":"metric","kilograms":2}`, true},
		{"metric without kilograms (then)", "stress.yaml", "/components/schemas/DeepEnvelope/properties/measurement", `{"unit":"metric","pounds":2}`, false},
		{"imperial without pounds (else)", "stress.yaml", "/components/schemas/DeepEnvelope/properties/measurement", `{"unit":"imperial","kilograms":2}`, false},
		{"x- extension", "stress.yaml", "/components/schemas/RecordTagged/properties/extensions", `{"x-team":"core"}`, true},
		{"extension not matching the pattern", "stress.yaml", "/components/schemas/RecordTagged/properties/extensions", `{"x-team":"core","y-team":"edge"}`, false},
		{"no extension (minProperties)", "stress.yaml", "/components/schemas/RecordTagged/properties/extensions", `{}`, false},
		{"aliases as a string", "stress.yaml", "/components/schemas/RecordTagged/properties/aliases", `"a"`, true},
		{"aliases as a list of anything", "stress.yaml", "/components/schemas/RecordTagged/properties/aliases", `[1,"b",null]`, true},
		{"aliases as a number", "stress.yaml", "/components/schemas/RecordTagged/properties/aliases", `1`, false},
		{"repeated tags (uniqueItems)", "stress.yaml", "/components/schemas/RecordTagged/properties/window/properties/tags", `["red","red"]`, false},
		{"zone-style region", "stress.yaml", "/components/schemas/Region", `"Antarctica/Zone20"`, true},
		{"unknown region", "stress.yaml", "/components/schemas/Region", `"ZZ"`, false},
		{"unknown formats are annotations", "stress.yaml", "/components/schemas/RecordTagged/properties/counters/properties/checksum", `"not hex"`, true},
		{"circle", "stress.yaml", "/components/schemas/Shape", `{"id":"shp_0123456789ab","kind":"circle","stroke":"#00ff00","origin":{"x":0,"y":1},"radius":2}`, true},
		{"circle without stroke (allOf depth 2)", "stress.yaml", "/components/schemas/Shape", `{"id":"shp_0123456789ab","kind":"circle","origin":{"x":0,"y":1},"radius":2}`, false},
		{"comment tree", "stress.yaml", "/components/schemas/Comment", `{"id":1,"body":"a","author":"a@example.com","replies":[{"id":2,"body":"b","author":"b@example.com","replies":[]}]}`, true},
		{"reply without replies", "stress.yaml", "/components/schemas/Comment", `{"id":1,"body":"a","author":"a@example.com","replies":[{"id":2,"body":"b","author":"b@example.com"}]}`, false},
		{"linked list", "stress.yaml", "/components/schemas/ListNode", `{"value":"a","next":{"value":"b","next":null}}`, true},
		{"leaf reached through $defs", "stress.yaml", "/components/schemas/DeepEnvelope/$defs/Leaf", `{"value":"v","at":"2026-11-29T10:00:00Z","extra":1}`, false},
		{"invoice id", "billing.yaml", "/components/schemas/invoice/properties/id", `"in_1MtHbELkdIwHu7ix"`, true},
		{"invoice id with another prefix", "billing.yaml", "/components/schemas/invoice/properties/id", `"cus_1MtHbELkdIwHu7ix"`, false},
		{"customer id (not expanded)", "billing.yaml", "/components/schemas/invoice/properties/customer", `"cus_NffrFeUfNV2Hib"`, true},
		{"metadata value not a string", "billing.yaml", "/components/schemas/metadata", `{"order":1}`, false},
		{"footer null: nullable (3.0) is no keyword in 2020-12", "billing.yaml", "/components/schemas/invoice/properties/footer", `null`, false},
		{"pinned event type", "billing.yaml", "/components/schemas/invoice_paid_event/allOf/1/properties/type", `"invoice.paid"`, true},
		{"another type of the shared enum", "billing.yaml", "/components/schemas/invoice_paid_event/allOf/1/properties/type", `"invoice.created"`, false},
		{"head_commit null", "forge.yaml", "/components/schemas/webhook-push/properties/head_commit", `null`, true},
		{"unknown author association", "forge.yaml", "/components/schemas/author-association", `"STRANGER"`, false},
		{"milestone null", "forge.yaml", "/components/schemas/milestone", `null`, true},
		{"deleted user", "identity.yaml", "/components/schemas/DeletedObject", `{"id":"user_2g7np7Hrk0SN6kj5EDMLDaKNL0S","object":"user","deleted":true}`, true},
		{"timestamp in milliseconds is an integer", "identity.yaml", "/components/schemas/UnixMillis", `1716883200000.5`, false},
	}
	comps := map[string]*jsonschema.Compiler{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			comp, ok := comps[tt.file]
			if !ok {
				comp = providerCompiler(t, loadProviderDoc(t, filepath.Join("testdata", "providers", tt.file)))
				comps[tt.file] = comp
			}
			s, err := comp.Compile(providerURL + "#" + tt.pointer)
			require.NoError(t, err)
			v, err := DecodeJSON([]byte(tt.value))
			require.NoError(t, err)
			err = s.Validate(v)
			if tt.valid {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

// TestStressDocumentShape checks that the stress document holds what its
// comment promises, as kin-openapi loads it.
func TestStressDocumentShape(t *testing.T) {
	doc := loadProviderDoc(t, filepath.Join("testdata", "providers", "stress.yaml"))
	schemas := doc.Components.Schemas

	assert.GreaterOrEqual(t, len(schemas["Region"].Value.Enum), 300, "large enum")
	assert.Len(t, schemas["Shape"].Value.Discriminator.Mapping, 4, "discriminator mapping")

	depth := 0
	for s := schemas["DeepEnvelope"].Value; ; depth++ {
		next := s.Properties["level"+strconv.Itoa(depth+1)]
		if next == nil {
			break
		}
		s = next.Value
	}
	assert.Equal(t, 13, depth, "nesting levels under DeepEnvelope")

	m := schemas["DeepEnvelope"].Value.Properties["measurement"].Value
	assert.NotNil(t, m.If, "if kept")
	assert.NotNil(t, m.Then, "then kept")
	assert.NotNil(t, m.Else, "else kept")
	assert.Contains(t, schemas["DeepEnvelope"].Value.Defs, "Leaf", "$defs kept")
	assert.Contains(t, schemas["RecordTagged"].Value.Properties["extensions"].Value.PatternProperties, "^x-[a-z]+$")

	assert.Len(t, doc.Webhooks["record.tagged"].Post.RequestBody.Value.Content, 2, "record.tagged has a +json and a JSON body")
	forge := loadProviderDoc(t, filepath.Join("testdata", "providers", "forge.yaml"))
	assert.Len(t, forge.Webhooks["ping"].Post.RequestBody.Value.Content, 2, "ping has a JSON and a form body")
}
