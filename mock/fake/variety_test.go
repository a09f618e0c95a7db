package fake

import (
	"encoding/json"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

// depthOf returns how deeply a JSON value nests objects and arrays.
func depthOf(v any) int {
	d := 0
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			d = max(d, depthOf(e))
		}
		return d + 1
	case []any:
		for _, e := range v {
			d = max(d, depthOf(e))
		}
		return d + 1
	}
	return 0
}

// hasFamily reports whether s holds a rune of every family of
// unicodeFamilies: Latin beyond ASCII, CJK, emoji and right-to-left.
func hasFamilies(s string) bool {
	var latin, cjk, emoji, rtl bool
	for _, r := range s {
		switch {
		case r > 0x7f && r < 0x250:
			latin = true
		case unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana):
			cjk = true
		case r >= 0x1f000 || r >= 0x2600 && r < 0x2800:
			emoji = true
		case unicode.In(r, unicode.Arabic, unicode.Hebrew):
			rtl = true
		}
	}
	return latin && cjk && emoji && rtl
}

// TestVarietyShapesHoldForEverySeed checks that each variety shape has its
// property in every payload, whatever the seed: the suite's verdicts must
// not depend on it.
func TestVarietyShapesHoldForEverySeed(t *testing.T) {
	user, tenant := openapi.MustLookup("user.created"), openapi.MustLookup("tenant.updated")
	type rec = map[string]any
	tests := []struct {
		shape Shape
		ev    openapi.Event
		holds func(t *testing.T, r rec, body []byte)
	}{
		{Full, user, func(t *testing.T, r rec, _ []byte) {
			assert.Regexp(t, `^[a-z]+-[a-z]+-[a-z0-9]{5}$`, r["username"], "Full sends a generated username")
		}},
		{Unicode, user, func(t *testing.T, r rec, _ []byte) {
			for _, k := range []string{"name", "username"} {
				assert.True(t, hasFamilies(r[k].(string)), "%s: %q", k, r[k])
			}
			assert.Regexp(t, `^[\x00-\x7f]+$`, r["email"], "format: email admits no non-ASCII address")
		}},
		{Unicode, tenant, func(t *testing.T, r rec, _ []byte) {
			assert.True(t, hasFamilies(r["name"].(string)), "%q", r["name"])
		}},
		{Crowded, user, func(t *testing.T, r rec, _ []byte) {
			auth := r["authorization"].(rec)
			assert.Len(t, auth, crowd)
			for _, a := range auth {
				assert.Len(t, a.(rec)["roles"], crowd)
			}
		}},
		{Empty, user, func(t *testing.T, r rec, _ []byte) {
			auth := r["authorization"].(rec)
			require.NotEmpty(t, auth, "a map keeps an entry, so that its arrays are reached")
			for _, a := range auth {
				assert.Equal(t, []any{}, a.(rec)["roles"])
			}
			assert.Equal(t, rec{}, r["data"])
		}},
		{Empty, tenant, func(t *testing.T, r rec, _ []byte) { assert.Equal(t, []any{}, r["roles"]) }},
		{Large, user, func(t *testing.T, r rec, _ []byte) {
			b, err := json.Marshal(r["data"])
			require.NoError(t, err)
			assert.GreaterOrEqual(t, len(b), largeBytes)
			assert.Less(t, len(b), 2*largeBytes)
			assert.Equal(t, 1, depthOf(r["data"]), "Large is flat")
		}},
		{Deep, tenant, func(t *testing.T, r rec, _ []byte) { assert.Equal(t, deepLevels, depthOf(r["data"])) }},
		{Huge, user, func(t *testing.T, _ rec, body []byte) {
			assert.Greater(t, len(body), 800<<10)
			assert.Less(t, len(body), 1<<20, "within a 1 MiB body limit")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.ev.Name+"/"+tc.shape.String(), func(t *testing.T) {
			for seed := range uint64(20) {
				body, err := Payload(tc.ev, Options{Seed: seed, Mode: gen.ModeLive, Shape: tc.shape})
				require.NoError(t, err)
				var env struct{ Record map[string]any }
				require.NoError(t, json.Unmarshal(body, &env))
				tc.holds(t, env.Record, body)
			}
		})
	}
}

func TestVaries(t *testing.T) {
	sms := openapi.MustLookup("user.login.code.sms")
	user := openapi.MustLookup("user.created")
	for _, tc := range []struct {
		ev    openapi.Event
		shape Shape
		want  bool
	}{
		{user, Full, true},
		{user, Unicode, true},
		{user, Crowded, true},
		{user, Empty, true},
		{user, Large, true},
		{user, Deep, true},
		{user, Huge, true},
		{sms, Unicode, true}, // its message is free text
		{sms, Crowded, false},
		{sms, Empty, false},
		{sms, Large, false},
		{sms, Deep, false},
	} {
		got, err := Varies(tc.ev, tc.shape)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "%s %s", tc.ev.Name, tc.shape)
	}
	_, err := Varies(user, Shape(99))
	assert.ErrorIs(t, err, ErrUnknownShape)
}
