package fake_test

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"

	"github.com/ufhook/ufhook/mock/fake"
	"github.com/ufhook/ufhook/openapi"
)

func TestHeaderValue(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	str := func(mut func(s *openapi3.Schema)) *openapi3.Schema {
		s := openapi3.NewStringSchema()
		mut(s)
		return s
	}
	cases := []struct {
		name   string
		header openapi.Header
		check  func(t *testing.T, v string)
	}{
		{"fixed value", openapi.Header{Name: "X-Topic", Value: "push"}, func(t *testing.T, v string) { assert.Equal(t, "push", v) }},
		{"uuid", openapi.Header{Name: "X-Id", Schema: str(func(s *openapi3.Schema) { s.Format = "uuid" })},
			func(t *testing.T, v string) { assert.Regexp(t, uuid, v) }},
		{"date-time", openapi.Header{Name: "X-At", Schema: str(func(s *openapi3.Schema) { s.Format = "date-time" })},
			func(t *testing.T, v string) {
				_, err := time.Parse(time.RFC3339, v)
				assert.NoError(t, err, v)
			}},
		{"integer in range", openapi.Header{Name: "X-N", Schema: openapi3.NewIntegerSchema().WithMin(3).WithMax(9)},
			func(t *testing.T, v string) {
				n, err := strconv.Atoi(v)
				assert.NoError(t, err, v)
				assert.True(t, n >= 3 && n <= 9, v)
			}},
		{"enum", openapi.Header{Name: "X-Kind", Schema: openapi3.NewStringSchema().WithEnum("a", "b")},
			func(t *testing.T, v string) { assert.Contains(t, []string{"a", "b"}, v) }},
		{"a fixed value no header can carry", openapi.Header{Name: "X-Bad", Value: "line\nbreak"},
			func(t *testing.T, v string) { assert.True(t, fake.ValidHeaderValue(v), "%q", v) }},
		{"an enum no header can carry", openapi.Header{Name: "X-Bad", Schema: openapi3.NewStringSchema().WithEnum(" x\r\n")},
			func(t *testing.T, v string) { assert.Regexp(t, `^ufhook-[0-9a-z]+$`, v) }},
		{"no schema", openapi.Header{Name: "X-None"}, func(t *testing.T, v string) { assert.Regexp(t, `^ufhook-[0-9a-z]+$`, v) }},
		{"free text", openapi.Header{Name: "X-Text", Schema: openapi3.NewStringSchema()},
			func(t *testing.T, v string) { assert.NotEmpty(t, v) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for seed := range uint64(50) {
				v := fake.HeaderValue(tc.header, seed)
				assert.True(t, fake.ValidHeaderValue(v), "%q is no header value", v)
				tc.check(t, v)
				assert.Equal(t, v, fake.HeaderValue(tc.header, seed), "the same seed gives the same value")
			}
		})
	}
	assert.NotEqual(t, fake.HeaderValue(cases[1].header, 1), fake.HeaderValue(cases[1].header, 2), "seeds vary the value")
}

func TestValidHeaderValue(t *testing.T) {
	for v, want := range map[string]bool{
		"abc": true, "a b": true, "": true, " a": false, "a ": false, "a\nb": false, "é": false, "a\x7fb": false, "a\tb": true,
	} {
		assert.Equal(t, want, fake.ValidHeaderValue(v), "%q", v)
	}
}
