package fake

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

var allShapes = []Shape{Realistic, Full, Sparse, WithUnknownFields, Nulls, Unicode, Crowded, Empty, Large, Deep, Huge, Longest}

func catalog(t testing.TB) []openapi.Event {
	t.Helper()
	evs, err := openapi.Events()
	require.NoError(t, err)
	require.NotEmpty(t, evs)
	return evs
}

func decode(t testing.TB, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m), "%s", body)
	return m
}

func TestEveryCatalogEventCompiles(t *testing.T) {
	for _, ev := range catalog(t) {
		for _, shape := range allShapes {
			t.Run(ev.Name+"/"+shape.String(), func(t *testing.T) {
				_, err := planFor(ev, shape)
				require.NoError(t, err)
			})
		}
	}
}

// TestPayloadsValidate checks payloadsPerShape seeds of every event in
// every shape against the spec (10,000, or fewer under the race detector:
// see race_test.go), the mode alternating with the seed, so that a rare
// variant that breaks the spec cannot hide.
func TestPayloadsValidate(t *testing.T) {
	for _, ev := range catalog(t) {
		for _, shape := range allShapes {
			t.Run(ev.Name+"/"+shape.String(), func(t *testing.T) {
				t.Parallel()
				f := New(0)
				for seed := range uint64(payloadsOf(shape)) {
					mode := gen.ModeTest
					if seed%2 == 1 {
						mode = gen.ModeLive
					}
					f.Reset(seed)
					body, err := f.Payload(ev, mode, shape)
					require.NoError(t, err)
					if err := openapi.Validate(ev, body); err != nil {
						t.Fatalf("seed %d, shape %s, mode %s: %v\n%s", seed, shape, mode, err, body)
					}
				}
			})
		}
	}
}

// payloadsOf is how many payloads of shape TestPayloadsValidate checks:
// payloadsPerShape of the shapes that draw as real records vary, a fifth of
// that of the variety shapes, which are Full but for a property that does
// not depend on the seed, and fewer still of the heavy ones, whose payloads
// take long to validate (Large's are 48 KiB, Huge's 900 KiB).
func payloadsOf(shape Shape) int {
	switch shape {
	case Unicode, Crowded, Empty, Deep, Longest:
		return payloadsPerShape / 5
	case Large:
		return payloadsPerShape / 50
	case Huge:
		return max(payloadsPerShape/2000, 1)
	}
	return payloadsPerShape
}

func TestPayloadIsDeterministic(t *testing.T) {
	for _, ev := range catalog(t) {
		for _, shape := range allShapes {
			t.Run(ev.Name+"/"+shape.String(), func(t *testing.T) {
				opts := Options{Seed: 42, Mode: gen.ModeLive, Shape: shape}
				a, err := Payload(ev, opts)
				require.NoError(t, err)
				b, err := Payload(ev, opts)
				require.NoError(t, err)
				assert.Equal(t, string(a), string(b))
				opts.Seed = 43
				c, err := Payload(ev, opts)
				require.NoError(t, err)
				assert.NotEqual(t, string(a), string(c), "another seed must give another payload")
			})
		}
	}
}

func TestPayloadEnvelope(t *testing.T) {
	for _, ev := range catalog(t) {
		for _, mode := range []gen.Mode{"", gen.ModeTest, gen.ModeLive} {
			t.Run(ev.Name+"/"+string(mode), func(t *testing.T) {
				body, err := Payload(ev, Options{Seed: 7, Mode: mode})
				require.NoError(t, err)
				want := string(mode)
				if want == "" {
					want = "test"
				}
				// The fourth property is what the webhook carries: the record,
				// or a messaging webhook's factor.
				carried := carriedProperty(t, ev)
				prefix := fmt.Sprintf(`{"action":%q,"model":%q,"mode":%q,%q:{`, ev.Action, ev.Model, want, carried)
				assert.True(t, strings.HasPrefix(string(body), prefix), "%s", body)
				rec := decode(t, body)[carried].(map[string]any)
				if ev.Schema.Properties[carried].Value.Properties["mode"] != nil {
					assert.Equal(t, want, rec["mode"], "the record's mode follows the envelope's")
				}
			})
		}
	}
}

// carriedProperty returns the name of the envelope's fourth property, what
// the webhook carries: "record" for a record webhook, "factor" for a
// messaging one.
func carriedProperty(t *testing.T, ev openapi.Event) string {
	t.Helper()
	order := propertyOrder(ev.Schema)
	require.Len(t, order, 4, "%s: the envelope has four properties", ev.Name)
	require.Equal(t, []string{"action", "model", "mode"}, order[:3], ev.Name)
	return order[3]
}

func TestPayloadErrors(t *testing.T) {
	cases := []struct {
		name    string
		event   openapi.Event
		opts    Options
		wantErr error
	}{
		{"event not from the catalog", openapi.Event{Name: "user.exploded"}, Options{}, openapi.ErrUnknownEvent},
		{"catalog name without schema", openapi.Event{Name: "user.created"}, Options{}, openapi.ErrUnknownEvent},
		{"bad mode", openapi.MustLookup("user.created"), Options{Mode: "prod"}, ErrUnknownMode},
		{"bad shape", openapi.MustLookup("user.created"), Options{Shape: Shape(99)}, ErrUnknownShape},
		{"negative shape", openapi.MustLookup("user.created"), Options{Shape: -1}, ErrUnknownShape},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Payload(tc.event, tc.opts)
			require.ErrorIs(t, err, tc.wantErr)
		})
	}
}

func TestParseShape(t *testing.T) {
	for _, s := range allShapes {
		got, err := ParseShape(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	_, err := ParseShape("fancy")
	require.ErrorIs(t, err, ErrUnknownShape)
	assert.Contains(t, err.Error(), "unknown-fields", "the error lists the valid names")
}

// schemaFor follows anyOf [X, null] to X.
func schemaFor(ref *openapi3.SchemaRef) *openapi3.Schema {
	s := ref.Value
	for _, alt := range s.AnyOf {
		if alt.Value != nil && !alt.Value.Type.Is("null") {
			return alt.Value
		}
	}
	return s
}

// missingInFull walks a Full payload along its schema and returns the path of
// every property that the schema defines and the payload lacks or leaves
// null, at any depth.
func missingInFull(path string, ref *openapi3.SchemaRef, v any) []string {
	s := schemaFor(ref)
	var out []string
	switch val := v.(type) {
	case map[string]any:
		for name, p := range s.Properties {
			child, ok := val[name]
			if !ok || child == nil {
				out = append(out, path+"."+name)
				continue
			}
			out = append(out, missingInFull(path+"."+name, p, child)...)
		}
		if ap := s.AdditionalProperties.Schema; ap != nil {
			if len(val) == 0 {
				out = append(out, path+" (empty map)")
			}
			for k, child := range val {
				out = append(out, missingInFull(path+"."+k, ap, child)...)
			}
		}
	case []any:
		if s.Items != nil {
			if len(val) == 0 {
				out = append(out, path+"[] (empty array)")
			}
			for i, child := range val {
				out = append(out, missingInFull(fmt.Sprintf("%s[%d]", path, i), s.Items, child)...)
			}
		}
	}
	return out
}

// TestFullShapeCoversTheSchema keeps the generators and the spec from
// drifting apart: a property added to any schema that the Full shape does not
// fill makes this test fail and name it.
func TestFullShapeCoversTheSchema(t *testing.T) {
	for _, ev := range catalog(t) {
		t.Run(ev.Name, func(t *testing.T) {
			root := openapi3.NewSchemaRef("", ev.Schema)
			var missing []string
			for seed := range uint64(20) {
				body, err := Payload(ev, Options{Seed: seed, Shape: Full})
				require.NoError(t, err)
				missing = append(missing, missingInFull(ev.Name, root, decode(t, body))...)
			}
			slices.Sort(missing)
			assert.Empty(t, slices.Compact(missing), "the spec defines these fields but the Full shape of mock never fills them: add them to the generator in mock/records.go")
		})
	}
}

func TestSparseShapeHasOnlyRequiredFields(t *testing.T) {
	for _, ev := range catalog(t) {
		t.Run(ev.Name, func(t *testing.T) {
			body, err := Payload(ev, Options{Seed: 5, Shape: Sparse})
			require.NoError(t, err)
			carried := carriedProperty(t, ev)
			rec := decode(t, body)[carried].(map[string]any)
			recSchema := ev.Schema.Properties[carried].Value
			keys := make([]string, 0, len(rec))
			for k, v := range rec {
				keys = append(keys, k)
				p := recSchema.Properties[k].Value
				switch {
				case p.Type.Includes("null"):
					assert.Nil(t, v, "%s can be null, so Sparse makes it null", k)
				case p.Type.Is("string") && p.Pattern == "" && p.Format == "" && len(p.Enum) == 0 && p.Const == nil && p.MinLength == 0:
					assert.Equal(t, "", v, "%s can be empty, so Sparse makes it empty", k)
				case p.Type.Is("object") && len(p.Required) == 0:
					assert.Empty(t, v, "%s", k)
				case p.Type.Is("object"):
					keys := make([]string, 0, len(p.Required))
					for nested := range v.(map[string]any) {
						keys = append(keys, nested)
					}
					assert.ElementsMatch(t, p.Required, keys, "%s holds its required properties only", k)
				}
			}
			assert.ElementsMatch(t, recSchema.Required, keys)
		})
	}
}

func TestUnknownFieldsAreUnknownToTheSpec(t *testing.T) {
	doc, err := openapi.Load()
	require.NoError(t, err)
	for name, s := range doc.Components.Schemas {
		for _, k := range futureKeys {
			assert.NotContains(t, s.Value.Properties, k, "futureKeys must name no property of any schema, but %s defines %s", name, k)
		}
	}
	// Over a few seeds, unknown fields show up at the envelope, in the
	// record and in nested objects.
	seen := map[string]bool{}
	for seed := range uint64(50) {
		for _, name := range []string{"user.created", "tenant.updated"} {
			body, err := Payload(openapi.MustLookup(name), Options{Seed: seed, Shape: WithUnknownFields})
			require.NoError(t, err)
			env := decode(t, body)
			rec := env["record"].(map[string]any)
			for _, k := range futureKeys {
				seen["envelope"] = seen["envelope"] || env[k] != nil || hasKey(env, k)
				seen["record"] = seen["record"] || hasKey(rec, k)
			}
			if a, ok := rec["authentication"].(map[string]any); ok {
				for _, f := range a["firstFactors"].([]any) {
					for _, k := range futureKeys {
						seen["factor"] = seen["factor"] || hasKey(f.(map[string]any), k)
					}
				}
			}
		}
	}
	assert.Equal(t, map[string]bool{"envelope": true, "record": true, "factor": true}, seen)
}

func hasKey(m map[string]any, k string) bool { _, ok := m[k]; return ok }

func TestFullTimestamps(t *testing.T) {
	for seed := range uint64(500) {
		body, err := Payload(openapi.MustLookup("user.updated"), Options{Seed: seed, Shape: Full})
		require.NoError(t, err)
		u := decode(t, body)["record"].(map[string]any)
		for _, k := range []string{"createdAt", "updatedAt", "lastActiveAt", "lastMessagedAt"} {
			require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, u[k], k)
		}
		// The fixed-width form orders as text.
		assert.LessOrEqual(t, u["createdAt"].(string), u["updatedAt"].(string))
		assert.LessOrEqual(t, u["updatedAt"].(string), u["lastActiveAt"].(string))
	}
}

func TestAppendTimeKeepsTrailingZeros(t *testing.T) {
	cases := []struct {
		ms   int64
		want string
	}{
		{0, `"1970-01-01T00:00:00.000Z"`},
		{1715814290787, `"2024-05-15T23:04:50.787Z"`},
		{1715814290700, `"2024-05-15T23:04:50.700Z"`},
		{1715814290000, `"2024-05-15T23:04:50.000Z"`},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, string(appendTime(nil, tc.ms)))
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote`, `back\slash`, "new\nline", "tab\t", "\x01ctl", "héllo ✓", "bad\xffutf8", "<&>"} {
		got := appendString(nil, s)
		var back string
		require.NoError(t, json.Unmarshal(got, &back), "%s", got)
		if strings.ToValidUTF8(s, "\ufffd") == s {
			assert.Equal(t, s, back)
		}
	}
}

func TestFakerUserAndTenant(t *testing.T) {
	f := New(9)
	var prev gen.User
	for i := range 200 {
		mode := gen.ModeTest
		if i%2 == 1 {
			mode = gen.ModeLive
		}
		u := f.User(mode)
		assert.Equal(t, mode, u.Mode)
		if i > 0 {
			assert.Equal(t, prev.UserID+1, u.UserID, "userIds are sequential in a tenant")
			assert.Equal(t, prev.TenantID, u.TenantID, "a stream's users share a tenant")
		}
		require.NotNil(t, u.UpdatedAt)
		assert.False(t, u.UpdatedAt.Before(u.CreatedAt))
		rec, err := json.Marshal(u)
		require.NoError(t, err)
		body := fmt.Sprintf(`{"action":"create","model":"user","mode":%q,"record":%s}`, mode, rec)
		require.NoError(t, openapi.Validate(openapi.MustLookup("user.created"), []byte(body)))
		prev = u

		tn := f.Tenant(mode)
		rec, err = json.Marshal(tn)
		require.NoError(t, err)
		body = fmt.Sprintf(`{"action":"update","model":"tenant","mode":%q,"record":%s}`, mode, rec)
		require.NoError(t, openapi.Validate(openapi.MustLookup("tenant.updated"), []byte(body)))
		require.NotNil(t, tn.Mode)
		assert.Equal(t, mode, *tn.Mode)
	}
	assert.Equal(t, New(9).User(""), New(9).User(gen.ModeTest), "the same seed gives the same user")

	// A returned record shares nothing with the Faker's next one.
	g := New(9)
	first := g.User(gen.ModeTest)
	want, err := json.Marshal(first)
	require.NoError(t, err)
	for range 50 {
		g.User(gen.ModeLive)
		g.Tenant(gen.ModeLive)
	}
	got, err := json.Marshal(first)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))
}

// TestFakerUserMatchesPayload checks that User and the user payload of the
// same stream position describe the same person.
func TestFakerUserMatchesPayload(t *testing.T) {
	for seed := range uint64(100) {
		u := New(seed).User(gen.ModeLive)
		body, err := New(seed).Payload(openapi.MustLookup("user.created"), gen.ModeLive, Realistic)
		require.NoError(t, err)
		var ev gen.UserCreatedEvent
		require.NoError(t, json.Unmarshal(body, &ev))
		r := ev.Record
		assert.Equal(t, u.UserID, r.UserID)
		assert.Equal(t, u.UserUUID, r.UserUUID)
		assert.Equal(t, u.Email, r.Email)
		assert.Equal(t, u.Username, r.Username)
		assert.Equal(t, u.Name, r.Name)
		assert.Equal(t, u.PhoneNumber, r.PhoneNumber)
		assert.Equal(t, u.Data, r.Data)
		assert.Equal(t, u.Authorization, r.Authorization)
		assert.Equal(t, u.Authentication, r.Authentication)
		assert.True(t, u.CreatedAt.Equal(r.CreatedAt))
	}
}
