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

func TestMaskInHidesEveryCopyOfTheToken(t *testing.T) {
	const tok = "uf_test_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"
	masked := bearer.Mask(tok)
	for _, tc := range []struct {
		name, text, want string
	}{
		{"no token", `{"ok":true}`, `{"ok":true}`},
		{"echoed header", `{"authorization":"Bearer ` + tok + `"}`, `{"authorization":"Bearer ` + masked + `"}`},
		{"twice", tok + " " + tok, masked + " " + masked},
		{"cut off at the end", `{"authorization":"Bearer ` + tok[:30], `{"authorization":"Bearer uf_t…`},
		{"cut off before an ellipsis", `got Bearer ` + tok[:20] + "…", `got Bearer uf_t…`},
		{"what Mask shows anyway", `ends with uf_t`, `ends with uf_t`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := bearer.MaskIn(tc.text, tok)
			assert.Equal(t, tc.want, got)
			assert.NotContains(t, got, tok[:shownPlusOne])
		})
	}
	assert.Equal(t, "a short … here", bearer.MaskIn("a short secret1 here", "secret1"), "a short token is hidden whole")
	assert.Equal(t, "ends …", bearer.MaskIn("ends secre", "secret1"), "a cut-off short token is hidden whole")
	assert.Equal(t, "yes", bearer.MaskIn("yes", "secret1"), "a tail of four characters or fewer is ordinary text")
	assert.Equal(t, "as it is", bearer.MaskIn("as it is", ""), "an empty token changes nothing")
}

// shownPlusOne is one character more of the token than Mask shows.
const shownPlusOne = 5
