package openapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

func TestLoadValidates(t *testing.T) {
	doc, err := openapi.Load()
	require.NoError(t, err)
	assert.Equal(t, "3.1.0", doc.OpenAPI)
	assert.Empty(t, doc.Paths.Map(), "the document describes webhooks only")
	require.NoError(t, doc.Validate(context.Background()))
	scheme := doc.Components.SecuritySchemes["webhookToken"]
	require.NotNil(t, scheme)
	assert.Equal(t, "http", scheme.Value.Type)
	assert.Equal(t, "bearer", scheme.Value.Scheme)
}

func TestCatalogHasTheNineEvents(t *testing.T) {
	evs, err := openapi.Events()
	require.NoError(t, err)
	want := [][4]string{
		{"user.created", "user", "create", "userCreated"},
		{"user.updated", "user", "update", "userUpdated"},
		{"user.deleted", "user", "delete", "userDeleted"},
		{"tenant.created", "tenant", "create", "tenantCreated"},
		{"tenant.updated", "tenant", "update", "tenantUpdated"},
		{"tenant.deleted", "tenant", "delete", "tenantDeleted"},
		{"user.login.link.email", "user", "login", "userLoginLinkEmail"},
		{"user.login.code.email", "user", "login", "userLoginCodeEmail"},
		{"user.login.code.sms", "user", "login", "userLoginCodeSms"},
	}
	require.Len(t, evs, len(want))
	for i, ev := range evs {
		assert.Equal(t, want[i], [4]string{ev.Name, ev.Model, ev.Action, ev.OperationID})
		assert.NotNil(t, ev.Schema, ev.Name)
		assert.NotEmpty(t, ev.Summary, ev.Name)
	}
}

func TestOperationsAreComplete(t *testing.T) {
	doc, err := openapi.Load()
	require.NoError(t, err)
	for name, item := range doc.Webhooks {
		op := item.Post
		require.NotNil(t, op, name)
		assert.NotEmpty(t, op.Description, name)
		require.NotNil(t, op.Security, name)
		assert.Equal(t, openapi3.SecurityRequirements{{"webhookToken": {}}}, *op.Security, name)
		assert.True(t, op.RequestBody.Value.Required, name)
		assert.NotNil(t, op.Responses.Value("2XX"), name)
		assert.NotNil(t, op.Responses.Value("401"), name)
	}
}

func TestLookupUnknownEventListsKnownOnes(t *testing.T) {
	_, err := openapi.Lookup("user.renamed")
	require.ErrorIs(t, err, openapi.ErrUnknownEvent)
	assert.Contains(t, err.Error(), "user.created, user.updated")
	err = openapi.Validate(openapi.Event{Name: "user.renamed"}, []byte(`{}`))
	require.ErrorIs(t, err, openapi.ErrUnknownEvent)
}

// TestSchemaExamplesValidate loops over every schema's examples, which
// kin-openapi's doc.Validate never checks, in 2020-12 mode with both kin-openapi
// and the compiled validator behind Validate.
func TestSchemaExamplesValidate(t *testing.T) {
	doc, err := openapi.Load()
	require.NoError(t, err)
	for name, ref := range doc.Components.Schemas {
		s := ref.Value
		require.NotEmpty(t, s.Examples, "schema %s has no examples", name)
		for i, ex := range s.Examples {
			assert.NoError(t, s.VisitJSON(ex, openapi3.EnableJSONSchema2020()), "%s example %d", name, i)
		}
		for prop, p := range s.Properties {
			for i, ex := range p.Value.Examples {
				assert.NoError(t, p.Value.VisitJSON(ex, openapi3.EnableJSONSchema2020()), "%s.%s example %d", name, prop, i)
			}
		}
	}
	evs, err := openapi.Events()
	require.NoError(t, err)
	for _, ev := range evs {
		for i, ex := range ev.Schema.Examples {
			body, err := json.Marshal(ex)
			require.NoError(t, err)
			assert.NoError(t, openapi.Validate(ev, body), "%s example %d", ev.Name, i)
		}
	}
}

// TestKinDetectsWrongConstOnlyIn2020Mode pins the trap from tooling-facts.md, so
// that the examples test above is known to use the mode that checks const.
func TestKinDetectsWrongConstOnlyIn2020Mode(t *testing.T) {
	ev, err := openapi.Lookup("user.created")
	require.NoError(t, err)
	ex := cloneJSON(t, ev.Schema.Examples[0])
	ex["action"] = "delete"
	assert.Error(t, ev.Schema.VisitJSON(ex, openapi3.EnableJSONSchema2020()))
}

func capturedUser(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "user-GET.json"))
	require.NoError(t, err)
	var u map[string]any
	require.NoError(t, json.Unmarshal(raw, &u))
	return u
}

func TestCapturedUserValidatesInEveryUserEnvelope(t *testing.T) {
	for _, name := range []string{"user.created", "user.updated", "user.deleted"} {
		ev, err := openapi.Lookup(name)
		require.NoError(t, err)
		body, err := json.Marshal(map[string]any{"action": ev.Action, "model": "user", "mode": "live", "record": capturedUser(t)})
		require.NoError(t, err)
		assert.NoError(t, openapi.Validate(ev, body), name)
	}
}

func validEnvelope(t *testing.T) map[string]any {
	t.Helper()
	return map[string]any{"action": "create", "model": "user", "mode": "live", "record": capturedUser(t)}
}

func TestInvalidPayloadsAreRejectedNamingTheField(t *testing.T) {
	cases := []struct {
		name     string
		mutate   func(m map[string]any)
		wantPath string
		wantRule string
	}{
		{"wrong action", func(m map[string]any) { m["action"] = "update" }, "/action", "const"},
		{"wrong model", func(m map[string]any) { m["model"] = "tenant" }, "/model", "const"},
		{"mode staging", func(m map[string]any) { m["mode"] = "staging" }, "/mode", "enum"},
		{"missing record", func(m map[string]any) { delete(m, "record") }, "", "required"},
		{"record not an object", func(m map[string]any) { m["record"] = "user-1" }, "/record", "type"},
		{"userId as string", func(m map[string]any) { rec(m)["userId"] = "1" }, "/record/userId", "type"},
		{"bad tenantId", func(m map[string]any) { rec(m)["tenantId"] = "Mock-1234" }, "/record/tenantId", "pattern"},
		{"bad createdAt", func(m map[string]any) { rec(m)["createdAt"] = "yesterday" }, "/record/createdAt", "format"},
		{"createdAt with lower-case t and z", func(m map[string]any) { rec(m)["createdAt"] = "2024-05-15t23:04:50.787z" }, "/record/createdAt", "pattern"},
		{"createdAt with a leap second", func(m map[string]any) { rec(m)["createdAt"] = "2016-12-31T23:59:60.000Z" }, "/record/createdAt", "pattern"},
		{"bad email", func(m map[string]any) { rec(m)["email"] = "not-an-email" }, "/record/email", "format"},
		{"phone not E.164", func(m map[string]any) { rec(m)["phoneNumber"] = "555-0123" }, "/record/phoneNumber", "pattern"},
		{"bad uuid", func(m map[string]any) { rec(m)["userUuid"] = "1234" }, "/record/userUuid", "format"},
		{"locked as string", func(m map[string]any) { rec(m)["locked"] = "false" }, "/record/locked", "type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := validEnvelope(t)
			tc.mutate(m)
			body, err := json.Marshal(m)
			require.NoError(t, err)
			err = openapi.Validate(openapi.MustLookup("user.created"), body)
			require.ErrorIs(t, err, openapi.ErrInvalidPayload)
			var verr *openapi.ValidationError
			require.True(t, errors.As(err, &verr))
			require.NotEmpty(t, verr.Problems)
			found := false
			for _, p := range verr.Problems {
				if p.Path == tc.wantPath && p.Keyword == tc.wantRule {
					found = true
				}
			}
			assert.True(t, found, "want a problem at %q (%s), got %v", tc.wantPath, tc.wantRule, verr.Problems)
			if tc.wantPath != "" {
				assert.Contains(t, err.Error(), tc.wantPath)
			}
			if tc.wantRule == "format" && tc.wantPath != "/record/createdAt" {
				return // kin-openapi asserts date-time, but not the email and uuid formats.
			}
			// kin-openapi agrees that the payload is invalid.
			ev, lerr := openapi.Lookup("user.created")
			require.NoError(t, lerr)
			var v any
			require.NoError(t, json.Unmarshal(body, &v))
			assert.Error(t, ev.Schema.VisitJSON(v, openapi3.EnableJSONSchema2020()))
		})
	}
}

func TestMalformedJSON(t *testing.T) {
	for _, body := range []string{``, `{`, `{"action":"create"} {}`, `nul`} {
		err := openapi.Validate(openapi.MustLookup("user.created"), []byte(body))
		assert.ErrorIs(t, err, openapi.ErrMalformedJSON, "%q", body)
	}
}

func TestUnknownFieldsAreAllowed(t *testing.T) {
	m := validEnvelope(t)
	m["deliveredAt"] = "2024-05-15T23:04:50.787Z"
	rec(m)["favouriteColour"] = "teal"
	rec(m)["tenant"].(map[string]any)["plan"] = "pro"
	body, err := json.Marshal(m)
	require.NoError(t, err)
	assert.NoError(t, openapi.Validate(openapi.MustLookup("user.created"), body))
}

func TestDeprecatedAndInferredAreMarked(t *testing.T) {
	doc, err := openapi.Load()
	require.NoError(t, err)
	user := doc.Components.Schemas["User"].Value
	for _, f := range []string{"uuid", "isConfirmed"} {
		assert.True(t, user.Properties[f].Value.Deprecated, f)
	}
	assert.Contains(t, strings.ToLower(user.Description), "unknown properties are allowed")
	assert.Contains(t, user.Description, "inferred")
	assert.Contains(t, user.Properties["tenantId"].Value.Description, "inferred")
	assert.Equal(t, "^[a-z0-9]{8}$", user.Properties["tenantId"].Value.Pattern)
}

func rec(m map[string]any) map[string]any { return m["record"].(map[string]any) }

func cloneJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}
