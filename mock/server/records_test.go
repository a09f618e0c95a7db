package server_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/openapi"
)

// TestRecordsFollowTheSpec is the guard against the drift that hand-kept
// record types allowed: for a user and a tenant created through the API,
// every property that the REST record has is a property of the spec's
// schema, at every depth the schema describes, and the webhook's record has
// exactly the REST record's keys less those the spec marks x-rest-only, with
// the same values.
func TestRecordsFollowTheSpec(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	cases := []struct {
		event, path string
		body        map[string]any
	}{
		{"user.created", "/v0/users", map[string]any{
			"email": "jane.doe@example.com", "username": "jane-doe", "name": "Jane Doe",
			"image": "https://example.com/jane.png", "data": map[string]any{"plan": map[string]any{"seats": 3.0}},
			"phoneNumber": "+15555550123", "locked": true,
		}},
		{"tenant.created", "/v0/tenants", map[string]any{
			"name": "Acme Inc", "image": "https://example.com/acme.png", "data": map[string]any{"region": "eu"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.event, func(t *testing.T) {
			ev, err := openapi.Lookup(tc.event)
			require.NoError(t, err)
			require.NotNil(t, ev.Schema.Properties["record"])
			schema := ev.Schema.Properties["record"].Value
			restOnly := openapi.RestOnly(schema)
			require.NotEmpty(t, restOnly, "the spec marks the fields that webhooks drop")

			rest := must(t, srv.URL, http.MethodPost, tc.path, tc.body)
			for k, v := range tc.body {
				assert.EqualValues(t, v, rest[k], "the API keeps the written %s", k)
			}
			assertInSchema(t, "", rest, schema)
			for _, f := range restOnly {
				assert.Contains(t, rest, f, "the REST record shows %s", f)
			}

			d := sk.next(t)
			require.NoError(t, d.Err)
			require.Equal(t, tc.event, d.Event)
			var env struct {
				Record map[string]any `json:"record"`
			}
			require.NoError(t, json.Unmarshal(d.Body, &env))
			want := slices.DeleteFunc(slices.Collect(maps.Keys(rest)), func(k string) bool { return slices.Contains(restOnly, k) })
			sort.Strings(want)
			got := slices.Sorted(maps.Keys(env.Record))
			assert.Equal(t, want, got, "the webhook record's keys are the REST record's less %v", restOnly)
			for _, k := range got {
				assert.Equal(t, rest[k], env.Record[k], "%s is the same in both records", k)
			}
		})
	}
}

// assertInSchema checks that every key of obj is a property of s, and so on
// down every nested object whose schema lists properties.
func assertInSchema(t *testing.T, path string, obj map[string]any, s *openapi3.Schema) {
	t.Helper()
	require.NotEmpty(t, s.Properties, "%s: the schema lists properties", path)
	for k, v := range obj {
		p := s.Properties[k]
		if !assert.NotNil(t, p, "%s/%s is not a property of the spec's schema", path, k) || p.Value == nil {
			continue
		}
		if inner, ok := v.(map[string]any); ok && len(p.Value.Properties) > 0 {
			assertInSchema(t, path+"/"+k, inner, p.Value)
		}
	}
}

// TestTenantIDsHaveUserfrontsForm checks that the tenants the API creates,
// the account's own included, get ids of the form the spec gives fake
// tenants: 8 characters of the alphabet that real tenant ids use.
func TestTenantIDsHaveUserfrontsForm(t *testing.T) {
	srv := newServer(t, serverConfig(newSink(t)))
	ids := map[string]bool{srv.RootTenant(): true}
	for range 20 {
		rec := must(t, srv.URL, http.MethodPost, "/v0/tenants", map[string]any{"name": "Acme Inc"})
		ids[rec["tenantId"].(string)] = true
	}
	assert.Len(t, ids, 21, "every tenant gets its own id")
	for id := range ids {
		assert.Regexp(t, `^[456789bdgjmnpqrvwxyz]{8}$`, id)
	}
}

// TestUserImageIsAnyString checks that an image the user wrote is kept and
// sent whatever it holds: a user's image is a free string, not a URI.
func TestUserImageIsAnyString(t *testing.T) {
	sk := newSink(t)
	srv := newServer(t, serverConfig(sk))
	for _, image := range []string{"", "/avatar.png", "avatar", "https://example.com/a.png"} {
		rec := must(t, srv.URL, http.MethodPost, "/v0/users", map[string]any{"name": "Jane Doe", "image": image})
		assert.Equal(t, image, rec["image"], "the user keeps image %q", image)
		d := sk.next(t)
		require.NoError(t, d.Err, "%s", d.Body)
		var env struct {
			Record map[string]any `json:"record"`
		}
		require.NoError(t, json.Unmarshal(d.Body, &env))
		assert.Equal(t, image, env.Record["image"], "the webhook carries image %q", image)
	}
}
