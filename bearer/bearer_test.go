package bearer_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ufhook/ufhook/bearer"
)

func TestParse(t *testing.T) {
	cases := []struct {
		name    string
		header  string
		want    string
		wantErr error
	}{
		{"bearer", "Bearer tok123", "tok123", nil},
		{"lower-case scheme", "bearer tok123", "tok123", nil},
		{"upper-case scheme", "BEARER tok123", "tok123", nil},
		{"missing", "", "", bearer.ErrMissing},
		{"basic", "Basic dXNlcjpwYXNz", "", bearer.ErrScheme},
		{"no scheme", "tok123", "", bearer.ErrScheme},
		{"empty bearer", "Bearer ", "", bearer.ErrEmpty},
		{"bare scheme", "Bearer", "", bearer.ErrEmpty},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := bearer.Parse(tc.header)
			assert.ErrorIs(t, err, tc.wantErr)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestEqual(t *testing.T) {
	const tok = "example3c5cc4491eb422d48c8f78c2f"
	cases := []struct {
		name string
		got  string
		want bool
	}{
		{"same", tok, true},
		{"last char changed", tok[:len(tok)-1] + "g", false},
		{"extra characters", tok + "x", false},
		{"prefix", tok[:10], false},
		{"case changed", strings.ToUpper(tok), false},
		{"empty", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, bearer.Equal(tc.got, tok))
		})
	}
	assert.False(t, bearer.Equal("", ""), "an empty token never matches")
}

func TestMaskNeverShowsTheWholeToken(t *testing.T) {
	for _, tok := range []string{"example3c5cc4491eb422d48c8f78c2f", "uf_test_admin_x", "short", "123456789012"} {
		m := bearer.Mask(tok)
		assert.NotContains(t, m, tok)
		assert.LessOrEqual(t, len(m)-len("…"), len(tok)/2+1)
	}
	assert.Equal(t, "exam…c2f", bearer.Mask("example3c5cc4491eb422d48c8f78c2f"))
}
