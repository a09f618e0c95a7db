package openapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

const choicesDoc = "testdata/choices/choices.yaml"

// useChoices installs testdata/choices/choices.yaml with opts for the test.
func useChoices(t *testing.T, opts openapi.LoadOptions) {
	t.Helper()
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	require.NoError(t, openapi.UseFileWith(choicesDoc, opts))
}

func TestAnyDocumentLoads(t *testing.T) {
	useChoices(t, openapi.LoadOptions{})
	assert.Equal(t, []string{"order.placed", "order.shipped", "order.refunded", "order.cancelled", "order.viewed"}, openapi.Names())

	placed := openapi.MustLookup("order.placed")
	assert.Empty(t, placed.Model, "no model const, no model")
	assert.Empty(t, placed.Consts())
	assert.Equal(t, "order.placed", placed.SchemaName, "an inline schema is named for its webhook")
	assert.Equal(t, "POST", placed.Method, "post is the default of several operations")
	assert.Equal(t, []string{"POST", "PUT"}, placed.Operations())
	assert.Equal(t, "application/json", placed.ContentType)
	assert.Equal(t, []openapi.Header{
		{Name: "X-Shop-Topic", Required: true, Value: "order.placed"},
		{Name: "X-Shop-Delivery", Required: true},
	}, stripSchemas(placed.Headers()))
	require.NoError(t, openapi.Validate(placed, []byte(`{"id":"o1","total":3,"note":null}`)), "nullable: true is read as null allowed")
	require.Error(t, openapi.Validate(placed, []byte(`{"id":"o1","total":-3}`)), "the inline schema is compiled")
	assert.Contains(t, openapi.Warnings(), "/webhooks/order.placed/post/requestBody/content/application~1json/schema/properties/note: nullable: true is an OpenAPI 3.0 keyword, which means nothing in 3.1; ufhook reads it as its author meant it, null allowed: write type: [T, \"null\"] instead")

	shipped := openapi.MustLookup("order.shipped")
	assert.Equal(t, "application/json", shipped.ContentType, "application/json wins over other JSON types")
	assert.Equal(t, []string{"application/x-www-form-urlencoded", "application/cloudevents+json", "application/json"}, shipped.ContentTypes(), "in document order")
}

func TestAuthFromTheDocument(t *testing.T) {
	useChoices(t, openapi.LoadOptions{})
	cases := []struct {
		event string
		want  openapi.Auth
		text  string
	}{
		{"order.placed", openapi.Auth{Scheme: openapi.AuthBearer, SchemeName: "restKey"}, "Authorization: Bearer <key>"},
		{"order.shipped", openapi.Auth{Scheme: openapi.AuthBasic, SchemeName: "basicAuth"}, "Authorization: Basic <user:password in base64>"},
		{"order.refunded", openapi.Auth{Scheme: openapi.AuthAPIKey, In: "header", Name: "X-Api-Key", SchemeName: "headerKey"}, "X-Api-Key: <key>"},
		{"order.cancelled", openapi.Auth{Scheme: openapi.AuthAPIKey, In: "query", Name: "api_key", SchemeName: "queryKey"}, "?api_key=<key>"},
		{"order.viewed", openapi.Auth{Scheme: openapi.AuthNone}, "no credentials"},
	}
	for _, tc := range cases {
		t.Run(tc.event, func(t *testing.T) {
			ev := openapi.MustLookup(tc.event)
			assert.Equal(t, tc.want, ev.Auth)
			assert.Equal(t, tc.text, ev.Auth.String())
		})
	}
}

func TestLoadOptionsChoose(t *testing.T) {
	basic, err := openapi.ParseAuth("basic")
	require.NoError(t, err)
	useChoices(t, openapi.LoadOptions{
		Operations:   map[string]string{"order.placed": "put"},
		ContentTypes: map[string]string{"order.shipped": "application/cloudevents+json"},
		Auth:         basic,
	})
	assert.Equal(t, "PUT", openapi.MustLookup("order.placed").Method)
	require.NoError(t, openapi.Validate(openapi.MustLookup("order.placed"), []byte(`{"put":true}`)))
	shipped := openapi.MustLookup("order.shipped")
	assert.Equal(t, "application/cloudevents+json", shipped.ContentType)
	require.Error(t, openapi.Validate(shipped, []byte(`{"trackingId":"x"}`)), "the chosen body's schema applies")
	for _, name := range openapi.Names() {
		assert.Equal(t, openapi.AuthBasic, openapi.MustLookup(name).Auth.Scheme, "--auth replaces every webhook's security")
	}
}

func TestLoadOptionsRefused(t *testing.T) {
	cases := []struct {
		name string
		file string
		opts openapi.LoadOptions
		want []string
	}{
		{"missing method", choicesDoc, openapi.LoadOptions{Operations: map[string]string{"order.placed": "patch"}},
			[]string{`webhook "order.placed" has no patch operation (it has post, put): choose one of those with --operation order.placed=METHOD`}},
		{"unknown webhook", choicesDoc, openapi.LoadOptions{Operations: map[string]string{"order.lost": "put"}},
			[]string{`has no webhook "order.lost"; its webhooks are order.placed, order.shipped`}},
		{"not JSON", choicesDoc, openapi.LoadOptions{ContentTypes: map[string]string{"order.shipped": "application/x-www-form-urlencoded"}},
			[]string{"/webhooks/order.shipped/post/requestBody/content", "is not JSON: ufhook sends JSON payloads only"}},
		{"unsendable scheme", "testdata/choices/unsendable.yaml", openapi.LoadOptions{},
			[]string{"unsendable.yaml:7: /webhooks/thing.done/post/security", `security scheme "oauth" is oauth2`, "choose one with --auth"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := openapi.UseFileWith(tc.file, tc.opts)
			require.ErrorIs(t, err, openapi.ErrInvalidDocument)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	t.Run("unsendable scheme replaced by --auth", func(t *testing.T) {
		t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
		require.NoError(t, openapi.UseFileWith("testdata/choices/unsendable.yaml", openapi.LoadOptions{Auth: openapi.Auth{Scheme: openapi.AuthNone}}))
	})
}

func TestParseAuth(t *testing.T) {
	cases := []struct {
		in   string
		want openapi.Auth
		err  bool
	}{
		{"none", openapi.Auth{Scheme: openapi.AuthNone}, false},
		{"bearer", openapi.Auth{Scheme: openapi.AuthBearer}, false},
		{"basic", openapi.Auth{Scheme: openapi.AuthBasic}, false},
		{"header:X-Key", openapi.Auth{Scheme: openapi.AuthAPIKey, In: "header", Name: "X-Key"}, false},
		{"query:key", openapi.Auth{Scheme: openapi.AuthAPIKey, In: "query", Name: "key"}, false},
		{"cookie:x", openapi.Auth{}, true},
		{"header:", openapi.Auth{}, true},
		{"oauth2", openapi.Auth{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := openapi.ParseAuth(tc.in)
			if tc.err {
				require.ErrorIs(t, err, openapi.ErrBadAuth)
				assert.Contains(t, err.Error(), "use none, bearer, basic, header:NAME or query:NAME")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestUserfrontAuthIsBearer(t *testing.T) {
	for _, ev := range must(openapi.Events()) {
		assert.Equal(t, openapi.Auth{Scheme: openapi.AuthBearer, SchemeName: "webhookToken"}, ev.Auth, ev.Name)
		assert.Equal(t, "POST", ev.Method, ev.Name)
		assert.Equal(t, "application/json", ev.ContentType, ev.Name)
	}
}

// stripSchemas drops the schemas of headers, for comparison.
func stripSchemas(hs []openapi.Header) []openapi.Header {
	for i := range hs {
		hs[i].Schema = nil
	}
	return hs
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestBrokenSchemasOutOfReachAreWarnings loads a document whose broken
// component schema no webhook uses, as real documents have, and refuses
// one whose webhook uses it.
func TestBrokenSchemasOutOfReachAreWarnings(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, openapi.Use(openapi.Spec())) })
	doc := func(ref string) []byte {
		return []byte(`openapi: 3.1.0
info: {title: t, version: '1'}
webhooks:
  thing.done:
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/` + ref + `'}}}}
      responses: {'200': {description: ok}}
components:
  schemas:
    Good: {type: object, properties: {a: {type: string}}}
    Broken: {type: object, required: [a, a], properties: {a: {type: string}}}
`)
	}
	require.NoError(t, openapi.Use(doc("Good")))
	warnings := openapi.Warnings()
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], "the document breaks OpenAPI 3.1 where no webhook reaches, which ufhook ignores")
	assert.Contains(t, warnings[0], "Broken")

	err := openapi.Use(doc("Broken"))
	require.ErrorIs(t, err, openapi.ErrInvalidDocument)
	assert.Contains(t, err.Error(), `webhook "thing.done"`)
}
