package fake

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
)

// schemaOf reads a schema written as JSON, with its x- extensions.
func schemaOf(t *testing.T, js string) *openapi3.SchemaRef {
	t.Helper()
	var s openapi3.Schema
	require.NoError(t, json.Unmarshal([]byte(js), &s), js)
	return openapi3.NewSchemaRef("", &s)
}

// generate compiles ref for the realistic shape and runs it n times in one
// stream of seed, at the stream's time now (zero: the fixed time).
func generate(t *testing.T, ref *openapi3.SchemaRef, seed uint64, now time.Time, n int) []string {
	t.Helper()
	root, slots, err := compilePlan(ref, "T", Realistic, false)
	require.NoError(t, err)
	p := &payloadPlan{root: root, slots: slots}
	f := New(seed)
	f.SetNow(now)
	out := make([]string, n)
	for i := range out {
		out[i] = string(p.run(f.s, gen.ModeTest, nil))
	}
	return out
}

func TestIDGenerators(t *testing.T) {
	cases := []struct {
		faker string
		want  *regexp.Regexp
	}{
		{"id", regexp.MustCompile(`^"[a-z0-9]{8}"$`)},
		{"id:3", regexp.MustCompile(`^"[a-z0-9]{3}"$`)},
		{"id:8:456789bdgjmnpqrvwxyz", regexp.MustCompile(`^"[456789bdgjmnpqrvwxyz]{8}"$`)},
		{"id:12:AB-", regexp.MustCompile(`^"[AB-]{12}"$`)},
		{"home.id:8:xyz", regexp.MustCompile(`^"[xyz]{8}"$`)},
		{"company.id:10:01", regexp.MustCompile(`^"[01]{10}"$`)},
		{"shortid", regexp.MustCompile(`^"[a-z0-9]{8}"$`)},
	}
	for _, tc := range cases {
		t.Run(tc.faker, func(t *testing.T) {
			seen := map[string]bool{}
			for seed := range uint64(50) {
				v := generate(t, schemaOf(t, `{"type":"string","x-faker":"`+tc.faker+`"}`), seed, time.Time{}, 1)[0]
				assert.Regexp(t, tc.want, v)
				seen[v] = true
			}
			assert.Greater(t, len(seen), 40, "ids vary with the seed")
		})
	}
}

// The home tenant's id is drawn once per stream, in the form its first use
// asks for, and every record of the stream shares it; a company's id is
// fresh in each payload.
func TestHomeIDIsTheStreamsOwn(t *testing.T) {
	// Without a document, properties are generated in the order of their
	// names: "a home" first.
	ref := schemaOf(t, `{"type":"object","required":["a home","again","org"],"properties":{
		"a home":{"type":"string","x-faker":"home.id:8:456789bdgjmnpqrvwxyz"},
		"again":{"type":"string","x-faker":"home.id"},
		"org":{"type":"string","x-faker":"company.id:8:456789bdgjmnpqrvwxyz"}}}`)
	var recs []map[string]string
	for _, out := range generate(t, ref, 7, time.Time{}, 20) {
		var m map[string]string
		require.NoError(t, json.Unmarshal([]byte(out), &m))
		recs = append(recs, m)
	}
	orgs := map[string]bool{}
	for _, m := range recs {
		assert.Regexp(t, `^[456789bdgjmnpqrvwxyz]{8}$`, m["a home"])
		assert.Equal(t, recs[0]["a home"], m["a home"], "one stream, one home tenant")
		assert.Equal(t, m["a home"], m["again"], "a later use keeps the id that the first drew")
		orgs[m["org"]] = true
	}
	assert.Len(t, orgs, len(recs), "each payload has its own company")
	other := generate(t, ref, 8, time.Time{}, 1)[0]
	assert.NotContains(t, other, recs[0]["a home"], "another seed, another home tenant")
}

func TestHandle(t *testing.T) {
	seen := map[string]bool{}
	for seed := range uint64(200) {
		v := generate(t, schemaOf(t, `{"type":"string","x-faker":"handle"}`), seed, time.Time{}, 1)[0]
		assert.Regexp(t, `^"[a-z]{3,10}-[a-z]{3,10}-[a-z0-9]{5}"$`, v)
		seen[v] = true
	}
	assert.Len(t, seen, 200)
}

func TestTimestampRecent(t *testing.T) {
	ref := schemaOf(t, `{"type":"string","format":"date-time","x-faker":"timestamp.recent"}`)
	now := time.Date(2030, 1, 2, 3, 4, 5, 600_000_000, time.UTC)
	fixed := time.UnixMilli(epochEnd).UTC()
	for seed := range uint64(200) {
		for _, tc := range []struct{ set, want time.Time }{{now, now}, {time.Time{}, fixed}} {
			var s string
			require.NoError(t, json.Unmarshal([]byte(generate(t, ref, seed, tc.set, 1)[0]), &s))
			at, err := time.Parse(time.RFC3339Nano, s)
			require.NoError(t, err)
			assert.True(t, at.Before(tc.want), "%s before %s", at, tc.want)
			assert.LessOrEqual(t, tc.want.Sub(at), time.Duration(recentSpan)*time.Millisecond)
		}
	}
	assert.Equal(t, "2026-06-01T00:00:00Z", fixed.Format(time.RFC3339), "the fixed time, which the docs name")
}

// x-faker-key takes a list: the first key from the first generator, the
// others from the last; map.key copies each entry's key into its value.
func TestMapKeysAndMapKey(t *testing.T) {
	ref := schemaOf(t, `{"type":"object","x-faker-items":{"3":1},"x-faker-key":["home.id:8:xyz","id:8:0123456789"],
		"additionalProperties":{"type":"object","required":["id"],"properties":{"id":{"type":"string","x-faker":"map.key"},
		"inner":{"type":"object","x-faker-items":{"1":1},"x-faker-key":"id:4","additionalProperties":{"type":"string","x-faker":"map.key"}}}}}`)
	for seed := range uint64(50) {
		out := generate(t, ref, seed, time.Time{}, 1)[0]
		var m map[string]struct {
			ID    string            `json:"id"`
			Inner map[string]string `json:"inner"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &m), out)
		require.Len(t, m, 3, out)
		homes := 0
		for k, v := range m {
			assert.Equal(t, k, v.ID, "map.key is the entry's key: %s", out)
			for ik, iv := range v.Inner {
				assert.Equal(t, ik, iv, "a nested map's values see their own keys: %s", out)
			}
			if regexp.MustCompile(`^[xyz]{8}$`).MatchString(k) {
				homes++
			} else {
				assert.Regexp(t, `^[0-9]{8}$`, k)
			}
		}
		assert.Equal(t, 1, homes, "the first key comes from the first generator: %s", out)
	}
}

// x-faker-overlay beside a $ref changes the referenced schema for that use
// only.
func TestOverlayBesideARef(t *testing.T) {
	inner := schemaOf(t, `{"type":"object","required":["kind","n"],"properties":{"kind":{"type":"string","x-faker-pick":["plain"]},"n":{"type":"integer","minimum":1,"maximum":3}}}`).Value
	outer := &openapi3.Schema{Type: &openapi3.Types{"object"}, Required: []string{"plain", "special"}, Properties: openapi3.Schemas{
		"plain": openapi3.NewSchemaRef("", inner),
		"special": &openapi3.SchemaRef{Value: inner, Extensions: map[string]any{
			extOverlay: map[string]any{"properties": map[string]any{"kind": map[string]any{extPick: []any{"special"}}}},
		}},
	}}
	for seed := range uint64(20) {
		var m map[string]map[string]any
		require.NoError(t, json.Unmarshal([]byte(generate(t, openapi3.NewSchemaRef("", outer), seed, time.Time{}, 1)[0]), &m))
		assert.Equal(t, "plain", m["plain"]["kind"])
		assert.Equal(t, "special", m["special"]["kind"])
	}
}

func TestNewHintsRefuseBadArguments(t *testing.T) {
	cases := []struct{ name, schema string }{
		{"id of length 0", `{"type":"string","x-faker":"id:0"}`},
		{"id of a length that is no number", `{"type":"string","x-faker":"id:eight"}`},
		{"id too long", `{"type":"string","x-faker":"id:65"}`},
		{"id with an empty alphabet", `{"type":"string","x-faker":"home.id:8:"}`},
		{"id with a quote in its alphabet", `{"type":"string","x-faker":"company.id:8:ab\"c"}`},
		{"map.key outside a map", `{"type":"string","x-faker":"map.key"}`},
		{"x-faker-key of no names", `{"type":"object","x-faker-key":[],"additionalProperties":{"type":"string"}}`},
		{"x-faker-key of a number", `{"type":"object","x-faker-key":[7],"additionalProperties":{"type":"string"}}`},
		{"x-faker-key of an unknown generator", `{"type":"object","x-faker-key":["home.id","nonsense.gen"],"additionalProperties":{"type":"string"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := compilePlan(schemaOf(t, tc.schema), "T", Realistic, false)
			require.ErrorIs(t, err, ErrBadHint)
			assert.Contains(t, err.Error(), "T", "the error names the schema")
		})
	}
	bad := &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}, Extensions: map[string]any{extOverlay: "recent"}}
	_, _, err := compilePlan(bad, "T", Realistic, false)
	require.ErrorIs(t, err, ErrBadHint)
}
