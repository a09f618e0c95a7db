package fake

import (
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/brianvoe/gofakeit/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPatternGenIsGofakeitRegex checks that the generator of a parsed
// pattern makes, from the same seed, what gofakeit's Regex makes (so that
// seeded payloads did not change when the patterns began to be parsed
// once), leaves the random stream where Regex leaves it, and matches the
// pattern.
func TestPatternGenIsGofakeitRegex(t *testing.T) {
	patterns := []string{
		`^[a-z0-9]{8}$`,
		`^\+[1-9][0-9]{6,14}$`,
		`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-5][0-9](\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$`,
		`^[0-9]{6}$`,
		`^acct_[A-Za-z0-9]{14,}$`,
		`^refs/(heads|tags)/.+$`,
		`^v1,[A-Za-z0-9+/]+={0,2}( v1,[A-Za-z0-9+/]+={0,2})*$`,
		`^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$`,
		`^[a-z0-9][a-z0-9-]{1,62}$`,
		`^[^a-z]{3}x*y?z+$`,
		`^(é|ü)[α-ω]{2}.*$`,
		`^(?:a|b|c)+\w\s$`,
	}
	for _, pattern := range patterns {
		t.Run(pattern, func(t *testing.T) {
			p := newPatternGen(pattern)
			require.NotNil(t, p)
			re := regexp.MustCompile(pattern)
			for seed := range uint64(200) {
				want := gofakeit.NewFaker(rand.NewPCG(seed, 7), false)
				st := newState()
				st.pcg.Seed(seed, 7)
				got := p.appendTo(st, nil)
				w := want.Regex(pattern)
				var s string
				require.NoError(t, json.Unmarshal(got, &s))
				require.Equal(t, w, s, "seed %d", seed)
				assert.Regexp(t, re, s)
				require.Equal(t, want.Uint64(), st.fk.Uint64(), "the stream after seed %d", seed)
			}
		})
	}
}

// TestAppendURLIsGofakeitURL checks that appendURL makes, from the same
// seed, what gofakeit's URL makes, and leaves the stream where URL does.
func TestAppendURLIsGofakeitURL(t *testing.T) {
	for seed := range uint64(500) {
		want := gofakeit.NewFaker(rand.NewPCG(seed, 3), false)
		got := gofakeit.NewFaker(rand.NewPCG(seed, 3), false)
		require.Equal(t, want.URL(), string(appendURL(got, nil)), "seed %d", seed)
		require.Equal(t, want.Uint64(), got.Uint64(), "the stream after seed %d", seed)
	}
}

// TestPatternFuncUnparsable checks that a pattern that Go cannot parse
// still generates (gofakeit's Regex says so in the value) instead of
// failing the plan.
func TestPatternFuncUnparsable(t *testing.T) {
	st := newState()
	st.pcg.Seed(1, 1)
	got := patternFunc(`^(?<=a)b$`)(st, nil)
	assert.JSONEq(t, `"Could not parse regex string"`, string(got))
}
